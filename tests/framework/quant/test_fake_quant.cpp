#include <catch2/catch.hpp>

#include "framework/quant/fake_quant.h"
#include "framework/quant/grouping.h"
#include "framework/quant/observer.h"
#include "tests/support/tensors.h"

using namespace ptq;

namespace {
QuantSpec int_spec(int bits, Granularity g = Granularity::Tensor) {
  QuantSpec s;
  s.bits = bits;
  s.granularity = g;
  return s;
}

// Min-max RTN of x under spec, through the public pieces (layout, observer, fake-quant).
torch::Tensor rtn(const torch::Tensor& x, const QuantSpec& spec) {
  const auto l = group_layout(spec, x.sizes());
  auto obs = make_observer({});
  auto xg = to_groups(x, l);
  obs->observe(xg);
  auto q = obs->compute(spec);
  return from_groups(fake_quant_grouped(xg, q.scale, q.zero_point, spec), l);
}
}  // namespace

TEST_CASE("integer fake-quant on a hand-computed case", "[quant]") {
  // uint4 asymmetric over [-1, 2]: scale 0.2, zero point 5.
  auto spec = int_spec(4);
  auto q = qparams_from_range(torch::full({1, 1}, -1.0), torch::full({1, 1}, 2.0), spec);
  CHECK(q.scale.item<float>() == Approx(0.2f));
  CHECK(q.zero_point.item<float>() == 5.0f);
  auto x = torch::tensor({0.33f, -2.0f, 0.5f, 2.0f, 10.0f}).reshape({1, 1, -1});
  auto y = fake_quant_int_grouped(x, q.scale, q.zero_point, spec.qmin(), spec.qmax()).flatten();
  CHECK(y[0].item<float>() == Approx(0.4f));   // round(1.65) = 2
  CHECK(y[1].item<float>() == Approx(-1.0f));  // clamped at qmin
  CHECK(y[2].item<float>() == Approx(0.4f));   // 2.5 rounds half to even -> 2
  CHECK(y[3].item<float>() == Approx(2.0f));
  CHECK(y[4].item<float>() == Approx(2.0f));   // clamped at qmax
}

TEST_CASE("symmetric signed int uses (qmax-qmin)/2 levels per side", "[quant]") {
  QuantSpec s = int_spec(4);
  s.is_signed = true;
  s.symmetric = true;
  auto q = qparams_from_range(torch::full({1, 1}, -3.0), torch::full({1, 1}, 1.5), s);
  CHECK(q.scale.item<float>() == Approx(3.0f / 7.5f));
  CHECK(q.zero_point.item<float>() == 0.0f);
}

TEST_CASE("fake-quant is idempotent", "[quant]") {
  const int bits = GENERATE(2, 3, 4, 8);
  auto x = torch::randn({16, 32});
  auto spec = int_spec(bits, Granularity::Channel);
  const auto l = group_layout(spec, x.sizes());
  auto obs = make_observer({});
  obs->observe(to_groups(x, l));
  auto q = obs->compute(spec);
  auto once = from_groups(fake_quant_grouped(to_groups(x, l), q.scale, q.zero_point, spec), l);
  auto twice = from_groups(fake_quant_grouped(to_groups(once, l), q.scale, q.zero_point, spec), l);
  INFO("bits " << bits);
  CHECK(torch::allclose(once, twice, 0, 1e-6));
}

TEST_CASE("error does not grow with bits", "[quant]") {
  torch::manual_seed(7);
  auto x = torch::randn({32, 64});
  const auto g = GENERATE(Granularity::Tensor, Granularity::Channel, Granularity::Group);
  double prev = std::numeric_limits<double>::infinity();
  for (int bits = 2; bits <= 16; ++bits) {
    auto spec = int_spec(bits, g);
    spec.axis = g == Granularity::Group ? 1 : 0;
    spec.group_size = 16;
    const double err = test::nmse(rtn(x, spec), x);
    INFO("granularity " << granularity_name(g) << " bits " << bits << " nmse " << err << " prev " << prev);
    CHECK(err <= prev);
    prev = err;
  }
}

TEST_CASE("16-bit fake-quant is within float tolerance", "[quant]") {
  auto x = torch::randn({8, 128});
  PTQ_REQUIRE_CLOSE(rtn(x, int_spec(16, Granularity::Channel)), x, 0, 1e-3);
}

TEST_CASE("per-channel beats per-tensor on channel-skewed data", "[quant]") {
  auto x = torch::randn({16, 64}) * torch::logspace(-2, 1, 16).unsqueeze(1);
  const int bits = GENERATE(2, 4, 8);
  const double per_tensor = test::nmse(rtn(x, int_spec(bits, Granularity::Tensor)), x);
  const double per_channel = test::nmse(rtn(x, int_spec(bits, Granularity::Channel)), x);
  INFO("bits " << bits);
  CHECK(per_channel < per_tensor);
}

TEST_CASE("STE passes gradients inside the range and LSQ gets a scale gradient", "[quant]") {
  auto spec = int_spec(4);
  auto x = torch::tensor({-0.5f, 0.1f, 0.7f, 5.0f}).reshape({1, 1, -1}).set_requires_grad(true);
  auto s = torch::full({1, 1}, 0.1f).set_requires_grad(true);
  auto z = torch::full({1, 1}, 5.0f);
  auto y = fake_quant_int_grouped(x, s, z, spec.qmin(), spec.qmax());
  y.sum().backward();
  // 5.0 is clipped (q = 15), so its gradient is 0; the others pass straight through.
  CHECK(torch::equal(x.grad().flatten(), torch::tensor({1.0f, 1.0f, 1.0f, 0.0f})));
  // LSQ: d/ds of (round(x/s)+z clipped - z)·s = round(x/s) - x/s inside, (q - z) when clipped.
  const double expected = (-5 - (-5.0)) + (1 - 1.0) + (7 - 7.0) + (15 - 5);
  CHECK(s.grad().item<float>() == Approx(expected).margin(1e-4));
  auto g = scale_grad(s, 0.5);
  CHECK(g.item<float>() == Approx(0.1f));
}
