#include <catch2/catch.hpp>

#include "framework/quant/fake_quant.h"
#include "framework/quant/fused_fake_quant.h"

using namespace ptq;

namespace {

struct Case {
  torch::Tensor xg, s, z;
  int64_t qmin, qmax;
};

// Data that exercises every branch: inside the grid, clipped below and above, exact ties.
Case make_case(int64_t R, int64_t G, int bits, bool signed_grid) {
  torch::manual_seed(bits * 31 + R);
  Case c;
  c.xg = torch::randn({R, 1, G}) * 2.0;
  c.xg.index_put_({torch::indexing::Slice(), 0, torch::indexing::Slice(0, 4)}, 0.25);  // ties at s = 0.5
  c.qmin = signed_grid ? -(1 << (bits - 1)) : 0;
  c.qmax = signed_grid ? (1 << (bits - 1)) - 1 : (1 << bits) - 1;
  c.s = torch::full({R, 1}, 0.5) * torch::linspace(0.5, 1.5, R).unsqueeze(1);
  c.z = signed_grid ? torch::zeros({R, 1}) : torch::full({R, 1}, static_cast<double>(c.qmax / 3));
  return c;
}

}  // namespace

TEST_CASE("fused fake-quant: forward is bit-identical to the tensor formula", "[quant][fused]") {
  const int bits = GENERATE(2, 4, 8);
  const bool signed_grid = GENERATE(false, true);
  const int64_t R = GENERATE(1, 3);
  auto c = make_case(R, 70001, bits, signed_grid);  // > one 32 Ki chunk, odd length
  auto ref = fake_quant_int_grouped(c.xg, c.s, c.z, c.qmin, c.qmax);
  auto fused = fused_fake_quant_grouped(c.xg, c.s, c.z, c.qmin, c.qmax);
  CHECK(torch::equal(ref, fused));
}

TEST_CASE("fused fake-quant: gradients equal LSQ's through the tensor formula", "[quant][fused]") {
  const int bits = GENERATE(2, 4);
  const int64_t R = GENERATE(1, 4);
  auto c = make_case(R, 40000, bits, false);
  auto g = torch::randn_like(c.xg);
  auto run = [&](bool use_fused) {
    auto x = c.xg.clone().requires_grad_(true);
    auto s = c.s.clone().requires_grad_(true);
    auto y = use_fused ? fused_fake_quant_grouped(x, s, c.z, c.qmin, c.qmax)
                       : fake_quant_int_grouped(x, s, c.z, c.qmin, c.qmax);
    (y * g).sum().backward();
    return std::make_pair(x.grad(), s.grad());
  };
  auto [dx_ref, ds_ref] = run(false);
  auto [dx, ds] = run(true);
  // The tensor formula computes dx as (g·s)/s, which differs from g in the last bit.
  CHECK(torch::equal(dx_ref.eq(0), dx.eq(0)));
  CHECK(torch::allclose(dx, dx_ref, 1e-6, 0));
  CHECK(torch::allclose(ds, ds_ref, 1e-4, 1e-3));
}

TEST_CASE("fused fake-quant: dropping keeps each element quantised with probability keep_prob", "[quant][fused]") {
  auto c = make_case(1, 200000, 2, false);
  const double keep = GENERATE(0.5, 0.2);
  auto q = fake_quant_int_grouped(c.xg, c.s, c.z, c.qmin, c.qmax);
  auto y = fused_fake_quant_grouped(c.xg, c.s, c.z, c.qmin, c.qmax, keep, 1234);
  auto is_x = y.eq(c.xg), is_q = y.eq(q);
  CHECK(torch::logical_or(is_x, is_q).all().item<bool>());
  // Elements where x is itself on the grid cannot tell; count only those that differ.
  auto differs = q.ne(c.xg);
  const double kept = torch::logical_and(is_q, differs).sum().item<double>() / differs.sum().item<double>();
  CHECK(kept == Approx(keep).margin(0.01));
  SECTION("the same seed gives the same mix, another seed another") {
    CHECK(torch::equal(y, fused_fake_quant_grouped(c.xg, c.s, c.z, c.qmin, c.qmax, keep, 1234)));
    CHECK_FALSE(torch::equal(y, fused_fake_quant_grouped(c.xg, c.s, c.z, c.qmin, c.qmax, keep, 1235)));
  }
  SECTION("dropped elements pass the gradient through even outside the grid") {
    auto x = c.xg.clone().requires_grad_(true);
    fused_fake_quant_grouped(x, c.s, c.z, c.qmin, c.qmax, keep, 1234).sum().backward();
    auto clipped = torch::logical_or(c.xg / c.s + c.z < c.qmin - 0.5, c.xg / c.s + c.z > c.qmax + 0.5);
    auto dropped_clipped = torch::logical_and(clipped, is_x);
    REQUIRE(dropped_clipped.any().item<bool>());
    CHECK(x.grad().masked_select(dropped_clipped).eq(1).all().item<bool>());
    auto kept_clipped = torch::logical_and(clipped, torch::logical_not(is_x));
    CHECK(x.grad().masked_select(kept_clipped).eq(0).all().item<bool>());
  }
}

TEST_CASE("fused fake-quant: keep_prob 1 draws nothing and equals plain fake-quant", "[quant][fused]") {
  auto c = make_case(2, 5000, 4, true);
  CHECK(torch::equal(fused_fake_quant_grouped(c.xg, c.s, c.z, c.qmin, c.qmax, 1.0, 1),
                     fused_fake_quant_grouped(c.xg, c.s, c.z, c.qmin, c.qmax, 1.0, 2)));
}

TEST_CASE("fused fake-quant: second-order gradients through the backward pass", "[quant][fused]") {
  // d/dw of |dL/dx|² with L = Σ w·q(x): the backward pass must itself be differentiable.
  auto c = make_case(1, 3000, 2, false);
  auto second = [&](bool use_fused) {
    auto x = c.xg.clone().requires_grad_(true);
    auto s = c.s.clone().requires_grad_(true);
    torch::manual_seed(7);
    auto w = torch::rand_like(c.xg).requires_grad_(true);
    auto y = use_fused ? fused_fake_quant_grouped(x, s, c.z, c.qmin, c.qmax)
                       : fake_quant_int_grouped(x, s, c.z, c.qmin, c.qmax);
    auto grads = torch::autograd::grad({(w * y).sum()}, {x, s}, {}, /*retain_graph=*/true, /*create_graph=*/true);
    auto obj = grads[0].pow(2).sum() + grads[1].pow(2).sum();
    auto dw = torch::autograd::grad({obj}, {w}, {}, /*retain_graph=*/true)[0];
    // And d/dx, d/ds of the step-size gradient itself (MetaAug's inner step differentiates it).
    auto dds = torch::autograd::grad({grads[1].sum()}, {x, s}, {}, /*retain_graph=*/false, /*create_graph=*/false,
                                     /*allow_unused=*/true);
    auto dds_x = dds[0].defined() ? dds[0] : torch::zeros_like(x);
    auto dds_s = dds[1].defined() ? dds[1] : torch::zeros_like(s);
    return std::make_tuple(dw, dds_x, dds_s);
  };
  auto [dw_f, dx_f, ds_f] = second(true);
  auto [dw_u, dx_u, ds_u] = second(false);
  CHECK(torch::allclose(dw_f, dw_u, 1e-4, 1e-4));
  CHECK(torch::allclose(dx_f, dx_u, 1e-4, 1e-4));
  CHECK(torch::allclose(ds_f, ds_u, 1e-4, 1e-4));
}

TEST_CASE("fused fake-quant: a fused ReLU gives the values and gradients of quantising relu(x)", "[quant][fused]") {
  const int bits = GENERATE(2, 4);
  const double keep = GENERATE(1.0, 0.5);
  const bool signed_grid = GENERATE(false, true);  // a signed grid keeps relu(x) = 0 inside it too
  auto c = make_case(3, 40000, bits, signed_grid);
  auto g = torch::randn_like(c.xg);
  auto run = [&](bool fused_relu, bool create_graph) {
    auto x = c.xg.clone().requires_grad_(true);
    auto s = c.s.clone().requires_grad_(true);
    auto y = fused_relu ? fused_fake_quant_grouped(x, s, c.z, c.qmin, c.qmax, keep, 99, true)
                        : fused_fake_quant_grouped(torch::relu(x), s, c.z, c.qmin, c.qmax, keep, 99);
    auto grads = torch::autograd::grad({(y * g).sum()}, {x, s}, {}, create_graph, create_graph);
    return std::make_tuple(y.detach(), grads[0].detach(), grads[1].detach());
  };
  const bool create_graph = GENERATE(false, true);
  auto [y_ref, dx_ref, ds_ref] = run(false, create_graph);
  auto [y, dx, ds] = run(true, create_graph);
  CHECK(torch::equal(y, y_ref));
  CHECK(torch::equal(dx, dx_ref));
  CHECK(torch::allclose(ds, ds_ref, 1e-5, 1e-6));
  CHECK(dx.masked_select(c.xg <= 0).eq(0).all().item<bool>());
}

TEST_CASE("random_mix_rows equals random_mix of the gathered rows, bit for bit", "[quant][fused]") {
  torch::manual_seed(5);
  auto a = torch::randn({9, 3, 50, 70}), b = torch::randn({9, 3, 50, 70});  // rows > one 32 Ki chunk
  auto idx = torch::tensor({4, 0, 8, 4, 2}, torch::kLong);
  const double keep = GENERATE(0.5, 0.1);
  auto ref = random_mix(a.index_select(0, idx), b.index_select(0, idx), keep, 77);
  CHECK(torch::equal(random_mix_rows(a, b, idx, keep, 77), ref));
  CHECK_FALSE(torch::equal(random_mix_rows(a, b, idx, keep, 78), ref));
}
