#include <catch2/catch.hpp>

#include "framework/quant/grouping.h"
#include "framework/recon/adaround.h"
#include "framework/recon/adaround_fused.h"
#include "kernels/common/elementwise.h"

#include <cmath>

using namespace ptq;

namespace {

// The tensor-op specification of the soft weight and the regulariser (adaround.h).
std::pair<torch::Tensor, torch::Tensor> reference(const torch::Tensor& v, const torch::Tensor& xg,
                                                  const torch::Tensor& s, const torch::Tensor& z, const QuantSpec& spec,
                                                  double beta) {
  auto h = torch::clamp(torch::sigmoid(v) * 1.2 - 0.1, 0.0, 1.0);
  auto base = torch::floor(xg / s.unsqueeze(-1));
  auto q = torch::clamp(base + h + z.unsqueeze(-1), static_cast<double>(spec.qmin()), static_cast<double>(spec.qmax()));
  auto out = (q - z.unsqueeze(-1)) * s.unsqueeze(-1);
  auto r = 1.0 - torch::pow((h - 0.5).abs() * 2.0, beta);
  return {out, torch::where(torch::isnan(xg), torch::zeros_like(r), r).sum()};
}

struct Case {
  torch::Tensor xg, s, z, v;
  QuantSpec spec;
};

Case make_case() {
  torch::manual_seed(11);
  Case c;
  c.spec.bits = 3;
  c.xg = torch::randn({6, 2, 40001}) * 0.3;  // more than one 32 Ki chunk per row
  c.xg.index_put_({1, 1, torch::indexing::Slice(39990, 40001)}, std::nan(""));  // padding
  c.s = torch::rand({6, 2}) * 0.05 + 0.05;
  c.z = torch::full({6, 2}, 3.0);
  c.v = torch::randn({6, 2, 40001}) * 3.0;
  return c;
}

}  // namespace

TEST_CASE("fast math: exp, log2 and pow agree with libm", "[recon][adaround][fused]") {
  for (float x : {-80.0f, -10.0f, -1.0f, -0.3f, 0.0f, 0.7f, 3.0f, 40.0f, 80.0f})
    CHECK(kernels::exp_fast(x) == Approx(std::exp(x)).epsilon(5e-7));
  for (float x : {1e-30f, 1e-5f, 0.1f, 0.74f, 0.75f, 1.0f, 1.49f, 1.5f, 3.0f, 1e20f})
    CHECK(kernels::log2_fast(x) == Approx(std::log2(x)).epsilon(1e-6).margin(1e-7));
  for (float u : {0.0f, 1e-20f, 0.01f, 0.5f, 0.999f, 1.0f})
    for (float b : {2.0f, 2.4f, 7.3f, 20.0f})
      CHECK(kernels::pow_fast(u, b) == Approx(std::pow(u, b)).epsilon(2e-6).margin(1e-30));
}

TEST_CASE("adaround fused: soft weight, regulariser and gradients match the tensor formula", "[recon][adaround][fused]") {
  auto c = make_case();
  const double beta = GENERATE(0.0, 2.0, 13.5);
  // A learned scale takes the two-pass backward; a fixed one the factors saved by the forward pass.
  const bool learn_scale = GENERATE(true, false);
  auto g = torch::randn_like(c.xg);
  auto run = [&](bool fused) {
    auto v = c.v.clone().requires_grad_(true);
    auto s = c.s.clone().requires_grad_(learn_scale);
    torch::Tensor out, reg;
    if (fused) {
      AdaRoundOptions o;
      std::tie(out, reg) = adaround_soft_fused(v, c.xg, torch::Tensor(), s, c.z, c.spec, o, beta);
    } else {
      std::tie(out, reg) = reference(v, c.xg, s, c.z, c.spec, beta);
      if (beta <= 0.0) reg = torch::Tensor();
    }
    auto valid = ~torch::isnan(c.xg);
    auto loss = torch::where(valid, out * g, torch::zeros_like(out)).sum();
    if (reg.defined()) loss = loss + 0.37 * reg;
    loss.backward();
    return std::make_tuple(torch::where(valid, out, torch::zeros_like(out)), reg, v.grad(), s.grad());
  };
  auto [out_r, reg_r, dv_r, ds_r] = run(false);
  auto [out_f, reg_f, dv_f, ds_f] = run(true);
  CHECK(torch::allclose(out_f, out_r, 1e-5, 1e-6));
  CHECK(reg_f.defined() == (beta > 0.0));
  if (beta > 0.0) CHECK(reg_f.item<double>() == Approx(reg_r.item<double>()).epsilon(1e-5));
  CHECK(torch::allclose(dv_f, dv_r, 1e-4, 1e-6));
  if (!learn_scale) return;
  // The tensor formula's scale gradient is NaN for groups with NaN padding (0·NaN); the
  // fused one ignores padding. Compare the others.
  auto finite = torch::isfinite(ds_r);
  CHECK(torch::isfinite(ds_f).all().item<bool>());
  CHECK(torch::allclose(ds_f.masked_select(finite), ds_r.masked_select(finite), 1e-4, 1e-3));
}

TEST_CASE("adaround fused: AdaRound::fake_quant uses it and hands over the regulariser", "[recon][adaround][fused]") {
  auto c = make_case();
  AdaRound r(c.xg, c.s, c.spec, AdaRoundOptions{});
  r.set_regularizer_beta(4.0);
  auto out = r.fake_quant(c.xg, c.s, c.z, c.spec);
  auto fused_reg = r.take_regularizer(4.0);
  CHECK(fused_reg.item<double>() == Approx(r.regularizer(4.0).item<double>()).epsilon(1e-5));
  // Taken once: a second request recomputes it with the tensor formula.
  CHECK(r.take_regularizer(4.0).item<double>() == Approx(fused_reg.item<double>()).epsilon(1e-5));
}

TEST_CASE("adaround fused: second-order gradients fall back to the tensor formula", "[recon][adaround][fused]") {
  auto c = make_case();
  auto second = [&](bool fused) {
    auto v = c.v.narrow(2, 0, 100).clone().requires_grad_(true);
    auto xg = c.xg.narrow(2, 0, 100).contiguous();
    torch::manual_seed(5);
    auto w = torch::rand_like(xg).requires_grad_(true);
    AdaRoundOptions o;
    auto out = fused ? adaround_soft_fused(v, xg, torch::Tensor(), c.s, c.z, c.spec, o, 0.0).first
                     : reference(v, xg, c.s, c.z, c.spec, 2.0).first;
    auto dv = torch::autograd::grad({(w * out).sum()}, {v}, {}, true, true)[0];
    return torch::autograd::grad({dv.pow(2).sum()}, {w})[0];
  };
  CHECK(torch::allclose(second(true), second(false), 1e-4, 1e-6));
}
