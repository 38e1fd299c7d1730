#include "framework/quant/fused_fake_quant.h"

#include "framework/core/check.h"
#include "kernels/fake_quant/fused_fake_quant.h"

#include <limits>

namespace ptq {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

kernels::FakeQuantRowsParams params_of(const torch::Tensor& x2, int64_t qmin, int64_t qmax, double keep_prob,
                                       uint64_t seed, bool relu) {
  kernels::FakeQuantRowsParams p;
  p.rows = x2.size(0);
  p.cols = x2.size(1);
  p.qmin = static_cast<float>(qmin);
  p.qmax = static_cast<float>(qmax);
  p.keep_prob = keep_prob;
  p.seed = seed;
  p.relu = relu;
  return p;
}

// Differentiable restatement of the kernel's backward pass (for create_graph): the element
// codes fix which branch each element took, the rest is tensor arithmetic.
variable_list backward_with_graph(const torch::Tensor& g, const torch::Tensor& x2, const torch::Tensor& s,
                                  const torch::Tensor& z, const torch::Tensor& code_in, int64_t qmin, int64_t qmax,
                                  bool relu) {
  auto pass = (code_in <= static_cast<int64_t>(kernels::kInRange)).to(g.scalar_type());
  auto dx = g * pass;
  auto code = relu ? torch::bitwise_and(code_in, 3) : code_in;
  auto y = (relu ? torch::relu(x2) : x2) / s;
  // In range, ∂out/∂s = round_ste(y) − y, whose own derivatives are 0 (the STE passes round's
  // gradient as 1): a constant here, as in the unfused formula.
  auto t = torch::where(code == static_cast<int64_t>(kernels::kInRange), (torch::round(y) - y).detach(),
                        torch::where(code == static_cast<int64_t>(kernels::kClippedLow), qmin - z,
                                     torch::where(code == static_cast<int64_t>(kernels::kClippedHigh), qmax - z,
                                                  torch::zeros_like(y))));
  auto ds = (g * t).sum(1, /*keepdim=*/true);
  return {dx, ds};
}

struct FusedFakeQuant : public torch::autograd::Function<FusedFakeQuant> {
  // x2 [rows, cols] contiguous; s, z [rows, 1].
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x2, const torch::Tensor& s,
                               const torch::Tensor& z, int64_t qmin, int64_t qmax, double keep_prob, int64_t seed,
                               bool relu) {
    const auto p = params_of(x2, qmin, qmax, keep_prob, static_cast<uint64_t>(seed), relu);
    auto out = torch::empty_like(x2);
    auto code = torch::empty(x2.sizes(), x2.options().dtype(torch::kUInt8));
    auto sc = s.detach().contiguous(), zc = z.detach().contiguous();
    kernels::fused_fake_quant_forward_cpu(p, x2.data_ptr<float>(), sc.data_ptr<float>(), zc.data_ptr<float>(),
                                          out.data_ptr<float>(), code.data_ptr<uint8_t>());
    ctx->save_for_backward({x2, s, z, code});
    ctx->saved_data["qmin"] = qmin;
    ctx->saved_data["qmax"] = qmax;
    ctx->saved_data["relu"] = relu;
    return out;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const auto &x2 = saved[0], &s = saved[1], &z = saved[2], &code = saved[3];
    const int64_t qmin = ctx->saved_data["qmin"].toInt(), qmax = ctx->saved_data["qmax"].toInt();
    const bool relu = ctx->saved_data["relu"].toBool();
    const bool need_x = ctx->needs_input_grad(0), need_s = ctx->needs_input_grad(1);
    auto g = grads[0].contiguous();
    torch::Tensor dx, ds;
    if (torch::GradMode::is_enabled()) {
      auto both = backward_with_graph(g, x2, s, z, code, qmin, qmax, relu);
      dx = need_x ? both[0] : torch::Tensor();
      ds = need_s ? both[1] : torch::Tensor();
    } else {
      const auto p = params_of(x2, qmin, qmax, 1.0, 0, relu);
      auto sc = s.contiguous(), zc = z.contiguous();
      if (need_x) dx = torch::empty_like(x2);
      torch::Tensor ds64;
      if (need_s) ds64 = torch::empty({p.rows}, x2.options().dtype(torch::kDouble));
      kernels::fused_fake_quant_backward_cpu(p, g.data_ptr<float>(), x2.data_ptr<float>(), sc.data_ptr<float>(),
                                             zc.data_ptr<float>(), code.data_ptr<uint8_t>(),
                                             need_x ? dx.data_ptr<float>() : nullptr,
                                             need_s ? ds64.data_ptr<double>() : nullptr);
      if (need_s) ds = ds64.to(torch::kFloat).view(s.sizes());
    }
    return {dx, ds, torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor(),
            torch::Tensor()};
  }
};

}  // namespace

bool fused_fake_quant_supported(const torch::Tensor& xg) {
  return xg.device().is_cpu() && xg.scalar_type() == torch::kFloat;
}

torch::Tensor fused_fake_quant_grouped(const torch::Tensor& xg, const torch::Tensor& scale,
                                       const torch::Tensor& zero_point, int64_t qmin, int64_t qmax, double keep_prob,
                                       uint64_t seed, bool relu) {
  PTQ_INTERNAL_ASSERT(fused_fake_quant_supported(xg) && xg.dim() == 3, "fused fake-quant needs a CPU float [R, nG, G]");
  PTQ_INTERNAL_ASSERT(scale.numel() == xg.size(0) * xg.size(1) && zero_point.numel() == scale.numel(),
                      "fused fake-quant: scale / zero point must be [R, nG]");
  const int64_t rows = xg.size(0) * xg.size(1);
  auto x2 = xg.reshape({rows, xg.size(2)}).contiguous();
  auto s = scale.to(torch::kFloat).reshape({rows, 1});
  auto z = zero_point.to(torch::kFloat).reshape({rows, 1});
  auto out = FusedFakeQuant::apply(x2, s, z, qmin, qmax, keep_prob, static_cast<int64_t>(seed), relu);
  return out.view(xg.sizes());
}

torch::Tensor random_mix(const torch::Tensor& a, const torch::Tensor& b, double keep_prob, uint64_t seed) {
  PTQ_INTERNAL_ASSERT(fused_fake_quant_supported(a) && fused_fake_quant_supported(b) && a.sizes() == b.sizes(),
                      "random_mix needs two CPU float tensors of one shape");
  auto ac = a.contiguous(), bc = b.contiguous();
  auto out = torch::empty_like(ac);
  kernels::random_mix_cpu(ac.numel(), ac.data_ptr<float>(), bc.data_ptr<float>(), keep_prob, seed,
                          out.data_ptr<float>());
  return out;
}

torch::Tensor random_mix_rows(const torch::Tensor& a, const torch::Tensor& b, const torch::Tensor& indices,
                              double keep_prob, uint64_t seed) {
  PTQ_INTERNAL_ASSERT(fused_fake_quant_supported(a) && fused_fake_quant_supported(b) && a.sizes() == b.sizes() &&
                          a.dim() >= 1,
                      "random_mix_rows needs two CPU float tensors of one shape");
  auto ac = a.contiguous(), bc = b.contiguous();
  auto idx = indices.to(torch::kLong).contiguous();
  const int64_t rows = a.size(0), row_len = rows ? a.numel() / rows : 0;
  const auto* p = idx.data_ptr<int64_t>();
  for (int64_t i = 0; i < idx.numel(); ++i)
    PTQ_INTERNAL_ASSERT(p[i] >= 0 && p[i] < rows, "random_mix_rows: row {} of {}", p[i], rows);
  auto shape = a.sizes().vec();
  shape[0] = idx.numel();
  auto out = torch::empty(shape, ac.options());
  kernels::random_mix_rows_cpu(idx.numel(), row_len, p, ac.data_ptr<float>(), bc.data_ptr<float>(), keep_prob, seed,
                               out.data_ptr<float>());
  return out;
}

uint64_t draw_drop_seed() {
  auto r = torch::randint(std::numeric_limits<int64_t>::max(), {1}, torch::TensorOptions().dtype(torch::kLong));
  return static_cast<uint64_t>(r.item<int64_t>());
}

}  // namespace ptq
