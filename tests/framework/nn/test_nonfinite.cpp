// NaN/Inf is caught where it first enters ptq and named: a loaded checkpoint (by tensor),
// calibration (by quantiser), a quantiser's scale (by quantiser) and evaluation (by the first
// unit whose output is not finite). The reconstruction loss has its own test (recon).
#include <catch2/catch.hpp>

#include "framework/core/check.h"
#include "framework/core/finite.h"
#include "framework/data/dataset.h"
#include "framework/experiment/evaluate.h"
#include "framework/io/safetensors.h"
#include "framework/nn/calibration.h"
#include "framework/nn/quant_setup.h"
#include "framework/nn/state.h"
#include "framework/nn/weights.h"
#include "framework/nn/zoo.h"
#include "tests/support/fixtures.h"
#include "tests/support/temp_dir.h"

#include <limits>

using namespace ptq;

namespace {
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

QuantModel folded_resnet8() {
  torch::manual_seed(0);
  auto m = create_model("resnet8", test::fmnist_model_options());
  m->eval();
  m->fold_batchnorm();
  return m;
}

void configure_w4a4(QuantModelImpl& m) {
  QuantSetup s;
  s.weight = default_weight_options(4);
  s.act = default_act_options(4);
  apply_quant_setup(m, s);
}
}  // namespace

TEST_CASE("nonfinite_summary counts and locates the first bad element", "[nn][finite]") {
  auto t = torch::zeros({2, 3});
  CHECK(nonfinite_summary(t).empty());
  CHECK(all_finite(torch::zeros({0})));
  CHECK(all_finite(torch::ones({4}, torch::kLong)));
  t[1][2] = kNaN;
  t[1][0] = -kInf;
  CHECK(!all_finite(t));
  CHECK(nonfinite_summary(t) == "2 of 6 values are not finite (first: -inf at [1, 0])");
}

TEST_CASE("a checkpoint with NaN/Inf is refused, naming every bad tensor", "[nn][finite]") {
  test::TempDir dir;
  auto m = create_model("resnet8", test::fmnist_model_options());
  auto state = model_state(*m);
  {
    torch::NoGradGuard g;
    state.at("conv1.weight")[0][0][1][1] = kNaN;
    state.at("fc.bias")[3] = kInf;
  }
  io::save_safetensors(dir.file("nan.safetensors"), state);
  auto fresh = create_model("resnet8", test::fmnist_model_options());
  const auto before = model_state(*fresh).at("conv1.weight").clone();
  REQUIRE_THROWS_WITH(load_model_weights(*fresh, dir.file("nan.safetensors")),
                      Catch::Contains("nan.safetensors") && Catch::Contains("2 tensor(s) hold NaN/Inf") &&
                          Catch::Contains("tensor 'conv1.weight': 1 of 144 values are not finite (first: nan at "
                                          "[0, 0, 1, 1])") &&
                          Catch::Contains("tensor 'fc.bias': 1 of 10 values are not finite (first: inf at [3])"));
  // Nothing was loaded, not even the good tensors.
  CHECK(torch::equal(model_state(*fresh).at("conv1.weight"), before));
}

TEST_CASE("calibration names the quantiser that first sees NaN/Inf", "[nn][finite]") {
  auto m = folded_resnet8();
  SECTION("in a weight") {
    {
      torch::NoGradGuard g;
      m->units()[1]->layers()[1].layer->weight.view({-1})[5] = kNaN;
    }
    configure_w4a4(*m);
    const auto label = m->units()[1]->layers()[1].layer->weight_quantizer->label();
    CHECK(label.find("weight_quantizer") != std::string::npos);
    REQUIRE_THROWS_WITH(calibrate_weights(*m), Catch::Contains(label + ": the tensor it calibrates on has 1 of") &&
                                                   Catch::Contains("not finite (first: nan"));
  }
  SECTION("in the calibration images") {
    configure_w4a4(*m);
    calibrate_weights(*m);
    auto x = torch::randn({8, 1, 28, 28});
    x[3][0][2][2] = kInf;
    CalibrationOptions c;
    REQUIRE_THROWS_WITH(calibrate_activations(*m, x, c),
                        Catch::Contains("conv1.output_quantizer: the tensor it calibrates on has") &&
                            Catch::Contains("NaN/Inf first appears here"));
  }
}

TEST_CASE("a non-positive or non-finite scale is refused, naming the quantiser", "[nn][finite]") {
  auto m = folded_resnet8();
  configure_w4a4(*m);
  auto q = m->units()[0]->layers()[0].layer->weight_quantizer;
  const auto zp = torch::zeros({16, 1});
  REQUIRE_THROWS_WITH(q->set_qparams({torch::full({16, 1}, 0.1).index_put_({2, 0}, 0.0), zp}),
                      Catch::Contains(q->label() + ": its scale must be finite and positive, but its smallest value is 0"));
  REQUIRE_THROWS_WITH(q->set_qparams({torch::full({16, 1}, kNaN), zp}),
                      Catch::Contains(q->label() + ": its scale must be finite and positive, but 16 of 16"));
  REQUIRE_NOTHROW(q->set_qparams({torch::full({16, 1}, 0.1), zp}));
}

TEST_CASE("evaluation names the batch and the first unit with a non-finite output", "[nn][finite]") {
  auto m = folded_resnet8();
  const auto& unit = *m->units()[2];
  {
    torch::NoGradGuard g;
    unit.layers()[0].layer->weight.view({-1})[0] = kInf;
  }
  data::TensorDataset ds(torch::randn({20, 1, 28, 28}), torch::arange(20) % 10, 10, "noise");
  REQUIRE_THROWS_WITH(evaluate(*m, ds, 8),
                      Catch::Contains("the logits of images [0, 8) of") &&
                          Catch::Contains(fmt::format("first appears in the output of unit 2 '{}'", unit.unit_name())));
  // A NaN in the data itself is reported as such.
  auto clean = folded_resnet8();
  auto images = torch::randn({20, 1, 28, 28});
  images[12][0][0][0] = kNaN;
  data::TensorDataset bad(images, torch::arange(20) % 10, 10, "noise");
  REQUIRE_THROWS_WITH(evaluate(*clean, bad, 8), Catch::Contains("the logits of images [8, 16)") &&
                                                    Catch::Contains("the input already holds NaN/Inf: 1 of"));
}
