#include <catch2/catch.hpp>

#include "framework/nn/quant_layer.h"
#include "framework/nn/quant_setup.h"

#include "tests/support/fixtures.h"

using namespace ptq;
using test::printed;

namespace {
}  // namespace

TEST_CASE("quantised layers describe themselves", "[nn]") {
  QuantLinear fc(QuantLinearOptions(512, 10));
  CHECK(printed(*fc) == "QuantLinear(512->10, fp)");
  fc->weight_quantizer->configure(default_weight_options(4));
  fc->weight_quantizer->calibrate(fc->weight);
  auto act = default_act_options(8);
  fc->input_quantizer->configure(act);
  fc->input_quantizer->set_qparams({torch::ones({1, 1}), torch::zeros({1, 1})});
  fc->input_quantizer->set_state(QuantizerState::Quantize);
  CHECK(printed(*fc) == "QuantLinear(512->10, w=uint4/ch, in=uint8/tensor)");
  QuantConv2d conv(QuantConv2dOptions(16, 32, 3).stride(2).padding(1).activation(Activation::ReLU));
  CHECK(printed(*conv) == "QuantConv2d(16->32, k=3, s=2, relu, fp)");
}

TEST_CASE("an unquantised layer equals the plain LibTorch op", "[nn]") {
  QuantConv2d conv(QuantConv2dOptions(3, 8, 3).padding(1).bias(true).activation(Activation::ReLU6));
  auto x = torch::randn({2, 3, 10, 10}) * 4;
  auto ref = torch::clamp(torch::conv2d(x, conv->weight, conv->bias, 1, 1), 0, 6);
  CHECK(torch::equal(conv(x), ref));
  QuantLinear fc(QuantLinearOptions(8, 4));
  auto v = torch::randn({5, 8});
  CHECK(torch::equal(fc(v), torch::linear(v, fc->weight, fc->bias)));
}

TEST_CASE("weight quantisation changes the forward pass by the expected noise", "[nn]") {
  QuantLinear fc(QuantLinearOptions(256, 64));
  auto x = torch::randn({32, 256});
  auto fp = fc(x);
  fc->weight_quantizer->configure(default_weight_options(8));
  fc->weight_quantizer->calibrate(fc->weight);
  auto q8 = fc(x);
  fc->weight_quantizer->configure(default_weight_options(2));
  fc->weight_quantizer->calibrate(fc->weight);
  auto q2 = fc(x);
  const double e8 = (q8 - fp).pow(2).mean().item<double>(), e2 = (q2 - fp).pow(2).mean().item<double>();
  CHECK(e8 > 0);
  CHECK(e8 < e2 / 100);
}
