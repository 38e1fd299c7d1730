#include <catch2/catch.hpp>

#include "framework/nn/state.h"
#include "framework/nn/zoo.h"
#include "tests/support/batchnorm.h"
#include "tests/support/tensors.h"

using namespace ptq;

TEST_CASE("folding BN into convs keeps the eval-mode output", "[nn]") {
  const std::string arch =
      GENERATE("resnet8", "resnet18", "resnet50", "mobilenet_v2", "regnetx_400mf", "regnetx_600mf");
  ModelOptions o;
  o.num_classes = 10;
  o.image_size = arch == "resnet8" ? 28 : (arch == "resnet18" || arch == "resnet50") ? 64 : 32;
  o.in_channels = arch == "resnet8" ? 1 : 3;
  torch::manual_seed(7);
  auto model = create_model(arch, o);
  test::randomise_batchnorm(*model);
  model->eval();
  auto x = torch::randn({2, o.in_channels, o.image_size, o.image_size});
  auto before = model->forward(x);
  const auto keys_before = model_state(*model).size();
  model->fold_batchnorm();
  CHECK(model->batchnorm_folded());
  auto after = model->forward(x);
  INFO(arch);
  PTQ_REQUIRE_CLOSE(after, before, 1e-3, 1e-4);
  // BN parameters and buffers are gone; each conv gained a bias.
  for (const auto& kv : model_state(*model)) {
    CHECK(kv.first.find("running_") == std::string::npos);
    CHECK(kv.first.find("num_batches_tracked") == std::string::npos);
  }
  CHECK(model_state(*model).size() < keys_before);
  CHECK(model_state(*model).size() == 2 * model->layers().size());  // weight + bias per layer
  model->fold_batchnorm();  // idempotent
  PTQ_REQUIRE_CLOSE(model->forward(x), after, 0, 0);
}
