// ptq's zoo against an independent functional implementation of torchvision's forward
// passes (tests/support/torchvision_reference.h): random weights and BN statistics go
// through a safetensors checkpoint into a fresh model, whose logits must match the
// reference's computed from the same checkpoint tensors.
#include <catch2/catch.hpp>

#include "framework/io/safetensors.h"
#include "framework/nn/state.h"
#include "framework/nn/weights.h"
#include "framework/nn/zoo.h"
#include "tests/support/batchnorm.h"
#include "tests/support/temp_dir.h"
#include "tests/support/tensors.h"
#include "tests/support/torchvision_reference.h"

using namespace ptq;

TEST_CASE("zoo models compute torchvision's forward from a checkpoint", "[nn]") {
  const std::string arch = GENERATE("resnet18", "resnet50", "mobilenet_v2", "regnetx_400mf", "regnetx_600mf");
  const bool small = GENERATE(false, true);
  INFO(arch << (small ? " (small input)" : ""));
  ModelOptions o;
  o.num_classes = 10;
  o.image_size = small ? 16 : 32;  // small sizes keep the ten cases within a few seconds
  o.small_input = small;
  test::TempDir dir;
  const auto path = dir.file(arch + ".safetensors");
  {
    torch::manual_seed(1234);
    auto source = create_model(arch, o);
    test::randomise_batchnorm(*source);
    save_model_weights(*source, path);
  }
  torch::manual_seed(99);  // the fresh model's own init differs from the checkpoint
  auto model = create_model(arch, o);
  load_model_weights(*model, path);
  model->eval();
  const auto x = torch::randn({2, 3, o.image_size, o.image_size});
  const auto logits = model->forward(x);
  test::ReferenceOptions ro;
  ro.small_input = small;
  const auto expected = test::reference_forward(arch, io::load_safetensors(path).tensors, x, ro);
  REQUIRE(logits.sizes() == torch::IntArrayRef({2, 10}));
  CHECK(expected.abs().max().item<double>() > 1e-3);  // not a degenerate all-zero comparison
  const double scale = expected.abs().max().item<double>();
  PTQ_REQUIRE_CLOSE(logits, expected, 1e-5, 1e-6 * scale);
}

TEST_CASE("the reference rejects missing, mis-shaped and surplus tensors", "[nn]") {
  ModelOptions o;
  o.num_classes = 10;
  o.image_size = 32;
  auto state = model_state(*create_model("regnetx_400mf", o));
  const auto x = torch::randn({1, 3, 32, 32});
  CHECK_NOTHROW(test::reference_forward("regnetx_400mf", state, x));
  auto surplus = state;
  surplus["trunk_output.block2.block2-1.proj.0.weight"] = torch::zeros({64, 64, 1, 1});
  REQUIRE_THROWS_WITH(test::reference_forward("regnetx_400mf", surplus, x), Catch::Contains("not used"));
  auto missing = state;
  missing.erase("trunk_output.block1.block1-0.f.b.1.running_var");
  REQUIRE_THROWS_WITH(test::reference_forward("regnetx_400mf", missing, x),
                      Catch::Contains("missing tensor 'trunk_output.block1.block1-0.f.b.1.running_var'"));
  auto reshaped = state;
  reshaped["fc.weight"] = torch::zeros({10, 401});
  REQUIRE_THROWS_WITH(test::reference_forward("regnetx_400mf", reshaped, x), Catch::Contains("'fc.weight' has shape"));
}
