#include <catch2/catch.hpp>

#include "framework/quant/fake_quant.h"

using namespace ptq;

namespace {
double rnd(double v, const char* fmt) {
  return round_to_minifloat(torch::tensor({v}, torch::kDouble), MiniFloat::named(fmt)).item<double>();
}
}  // namespace

TEST_CASE("E4M3 rounding on hand-computed values", "[quant][minifloat]") {
  CHECK(rnd(0.3, "e4m3") == 0.3125);           // binade [0.25, 0.5), step 1/32
  CHECK(rnd(448.0, "e4m3") == 448.0);
  CHECK(rnd(470.0, "e4m3") == 448.0);          // saturates, never NaN
  CHECK(rnd(-1000.0, "e4m3") == -448.0);
  CHECK(rnd(0.001, "e4m3") == 0.001953125);    // smallest subnormal 2^-9
  CHECK(rnd(0.0009, "e4m3") == 0.0);
  CHECK(rnd(240.0, "e4m3") == 240.0);
  CHECK(rnd(232.0, "e4m3") == 224.0);          // tie 224|240 -> even mantissa (224 = 1.75·2^7)
}

TEST_CASE("E5M2 rounding on hand-computed values", "[quant][minifloat]") {
  CHECK(rnd(57344.0, "e5m2") == 57344.0);
  CHECK(rnd(60000.0, "e5m2") == 57344.0);
  CHECK(rnd(1.1, "e5m2") == 1.0);
  CHECK(rnd(1.2, "e5m2") == 1.25);
  CHECK(rnd(std::ldexp(1.0, -16), "e5m2") == std::ldexp(1.0, -16));  // smallest subnormal
}

TEST_CASE("E2M1 grid is exactly {0, .5, 1, 1.5, 2, 3, 4, 6} with ties to even", "[quant][minifloat]") {
  for (double v : {0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0}) {
    CHECK(rnd(v, "e2m1") == v);
    CHECK(rnd(-v, "e2m1") == -v);
  }
  CHECK(rnd(2.5, "e2m1") == 2.0);
  CHECK(rnd(5.0, "e2m1") == 4.0);
  CHECK(rnd(0.75, "e2m1") == 1.0);
  CHECK(rnd(0.25, "e2m1") == 0.0);
  CHECK(rnd(7.0, "e2m1") == 6.0);
}

TEST_CASE("E3M2 and E2M3 maxima are reachable", "[quant][minifloat]") {
  CHECK(rnd(28.0, "e3m2") == 28.0);
  CHECK(rnd(30.0, "e3m2") == 28.0);
  CHECK(rnd(7.5, "e2m3") == 7.5);
  CHECK(rnd(0.125, "e2m3") == 0.125);  // subnormal step 2^(0-3)
}

TEST_CASE("without subnormals small values flush to 0 or the smallest normal", "[quant][minifloat]") {
  MiniFloat f = MiniFloat::named("e4m3");
  f.subnormals = false;
  auto r = [&](double v) { return round_to_minifloat(torch::tensor({v}, torch::kDouble), f).item<double>(); };
  CHECK(r(1.0 / 64) == 1.0 / 64);
  CHECK(r(0.6 / 64) == 1.0 / 64);
  CHECK(r(0.4 / 64) == 0.0);
}

TEST_CASE("minifloat fake-quant is idempotent and passes gradients straight through", "[quant][minifloat]") {
  auto x = (torch::randn({4, 64}) * 3).set_requires_grad(true);
  auto scale = torch::full({1, 1}, 0.01);
  const auto f = MiniFloat::named("e4m3");
  auto xg = x.reshape({1, 1, -1});
  auto once = fake_quant_float_grouped(xg, scale, f);
  auto twice = fake_quant_float_grouped(once.detach(), scale, f);
  CHECK(torch::equal(once.detach(), twice));
  once.sum().backward();
  // Inside the range [-448·s, 448·s] = [-4.48, 4.48] the gradient is 1; outside it is 0.
  auto inside = (x.detach().abs() <= 4.48).to(torch::kFloat);
  CHECK(torch::equal(x.grad(), inside));
}
