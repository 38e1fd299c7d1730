// The kernel's CPU reference must equal the framework's autograd fake-quant exactly, and the
// CUDA kernel (when a GPU is present) must equal the CPU reference.
#include <catch2/catch.hpp>

#include "framework/quant/fake_quant.h"
#include "kernels/fake_quant/fake_quant.h"

using namespace ptq;

TEST_CASE("kernels: CPU fake_quant_rows equals the framework's fake-quant", "[kernels]") {
  const int bits = GENERATE(2, 4, 8);
  torch::manual_seed(bits);
  auto x = torch::randn({17, 129}) * 3;
  auto scale = torch::rand({17}) * 0.5 + 0.01;
  auto zp = torch::randint(0, 1 << bits, {17}).to(torch::kFloat);
  QuantSpec s;
  s.bits = bits;
  auto ref = fake_quant_int_grouped(x.unsqueeze(1), scale.unsqueeze(1), zp.unsqueeze(1), s.qmin(), s.qmax()).squeeze(1);
  auto got = kernels::fake_quant_rows(x, scale, zp, s.qmin(), s.qmax());
  INFO("bits " << bits);
  CHECK(torch::equal(got, ref));
}

TEST_CASE("kernels: fake_quant_rows rejects bad shapes and dtypes", "[kernels]") {
  auto x = torch::randn({4, 8});
  REQUIRE_THROWS_WITH(kernels::fake_quant_rows(x, torch::ones({3}), torch::zeros({3}), 0, 15),
                      Catch::Contains("one value per row (4)"));
  REQUIRE_THROWS_WITH(kernels::fake_quant_rows(x.to(torch::kDouble), torch::ones({4}), torch::zeros({4}), 0, 15),
                      Catch::Contains("float32"));
  REQUIRE_THROWS_WITH(kernels::fake_quant_rows(x.flatten(), torch::ones({4}), torch::zeros({4}), 0, 15),
                      Catch::Contains("must be 2-D"));
}

TEST_CASE("kernels: CUDA fake_quant_rows equals the CPU reference", "[kernels][cuda]") {
  if (!kernels::cuda_kernels_available()) {
    WARN("no CUDA device (or ptq built without CUDA): skipped");
    return;
  }
  auto x = torch::randn({33, 1000});
  auto scale = torch::rand({33}) + 0.01;
  auto zp = torch::randint(0, 16, {33}).to(torch::kFloat);
  auto cpu = kernels::fake_quant_rows_cpu(x, scale, zp, 0, 15);
  auto gpu = kernels::fake_quant_rows(x.cuda(), scale.cuda(), zp.cuda(), 0, 15).cpu();
  CHECK(torch::equal(cpu, gpu));
}
