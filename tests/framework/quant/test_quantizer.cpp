#include <catch2/catch.hpp>

#include "framework/quant/quantizer.h"

#include "tests/support/fixtures.h"

using namespace ptq;
using test::printed;

namespace {
QuantizerOptions opts(int bits, Granularity g = Granularity::Tensor) {
  QuantizerOptions o;
  o.spec.bits = bits;
  o.spec.granularity = g;
  return o;
}
}  // namespace

TEST_CASE("quantizer life cycle: off, calibrate, quantize", "[quant]") {
  Quantizer q(opts(4));
  auto x = torch::randn({4, 8});
  CHECK(torch::equal(q(x), x));  // Off by default
  q->set_state(QuantizerState::Calibrate);
  CHECK(torch::equal(q(x), x));
  q->finish_calibration();
  CHECK(q->state() == QuantizerState::Quantize);
  auto y = q(x);
  CHECK(std::get<0>(at::_unique(y)).numel() <= 16);
  CHECK(printed(*q) == "Quantizer(uint4/tensor, minmax)");
}

TEST_CASE("a per-channel quantizer rejects inputs with another channel count", "[quant]") {
  Quantizer q(opts(8, Granularity::Channel));
  q->calibrate(torch::randn({4, 3}));
  REQUIRE_THROWS_WITH(q(torch::randn({5, 3})),
                      Catch::Contains("calibrated for 4x1 groups") && Catch::Contains("recalibrate"));
}

TEST_CASE("learnable scales receive gradients, with LSQ gradient scaling when asked", "[quant]") {
  auto o = opts(4);
  o.learnable_scale = true;
  Quantizer plain(o);
  o.lsq_grad_scale = true;
  Quantizer scaled(o);
  auto x = torch::randn({64});
  plain->calibrate(x);
  scaled->calibrate(x);
  plain(x).pow(2).sum().backward();
  scaled(x).pow(2).sum().backward();
  const double g = 1.0 / std::sqrt(64.0 * 15.0);
  CHECK(scaled->scale().grad().item<double>() == Approx(plain->scale().grad().item<double>() * g).epsilon(1e-4));
}

TEST_CASE("dynamic per-group quantisation needs no calibration", "[quant]") {
  auto o = opts(4, Granularity::Group);
  o.spec.axis = 1;
  o.spec.group_size = 8;
  o.spec.dynamic = true;
  Quantizer q(o);
  q->finish_calibration();
  auto x = torch::randn({3, 20});
  auto y = q(x);
  CHECK(y.sizes() == x.sizes());
  CHECK((y - x).abs().max().item<float>() < 0.5f);
  CHECK(printed(*q) == "Quantizer(uint4/g8/dyn, minmax)");
}

TEST_CASE("forward_relu equals forward(relu(x)) in every state, dynamic scales included", "[quant]") {
  const bool dynamic = GENERATE(false, true);
  auto o = opts(4, dynamic ? Granularity::Group : Granularity::Tensor);
  if (dynamic) o.spec.group_size = 8, o.spec.dynamic = true;
  Quantizer a(o), b(o);
  torch::manual_seed(3);
  auto x = torch::randn({6, 16});
  CHECK(torch::equal(a->forward_relu(x), torch::relu(x)));  // Off
  if (!dynamic) {
    a->set_state(QuantizerState::Calibrate), b->set_state(QuantizerState::Calibrate);
    a->forward_relu(x), b(torch::relu(x));  // the observer must see relu(x)
    a->finish_calibration(), b->finish_calibration();
  } else {
    a->set_state(QuantizerState::Quantize), b->set_state(QuantizerState::Quantize);
  }
  CHECK(torch::equal(a->forward_relu(x), b(torch::relu(x))));
}
