#include "framework/recon/adaround_fused.h"

#include "framework/core/check.h"
#include "kernels/adaround/adaround_cpu.h"

namespace ptq {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

kernels::AdaRoundRowsParams params_of(const torch::Tensor& x2, double qmin, double qmax, double zeta, double gamma,
                                      double beta) {
  kernels::AdaRoundRowsParams p;
  p.rows = x2.size(0);
  p.cols = x2.size(1);
  p.qmin = static_cast<float>(qmin);
  p.qmax = static_cast<float>(qmax);
  p.zeta = static_cast<float>(zeta);
  p.gamma = static_cast<float>(gamma);
  p.beta = static_cast<float>(beta);
  return p;
}

const float* ptr_or_null(const torch::Tensor& t) { return t.defined() && t.numel() > 0 ? t.data_ptr<float>() : nullptr; }

// The tensor-op formula (as adaround.cpp), differentiable, for backward passes with create_graph.
std::pair<torch::Tensor, torch::Tensor> tensor_formula(const torch::Tensor& v, const torch::Tensor& x2,
                                                       const torch::Tensor& floor2, const torch::Tensor& s,
                                                       const torch::Tensor& z, const kernels::AdaRoundRowsParams& p) {
  auto h = torch::clamp(torch::sigmoid(v) * (p.zeta - p.gamma) + p.gamma, 0.0, 1.0);
  auto base = floor2.numel() > 0 ? floor2 : torch::floor(x2 / s.detach());
  auto q = torch::clamp(base + h + z, static_cast<double>(p.qmin), static_cast<double>(p.qmax));
  auto out = (q - z) * s;
  torch::Tensor reg = torch::zeros({}, v.options());
  if (p.beta > 0.0f) {
    auto r = 1.0 - torch::pow((h - 0.5).abs() * 2.0, static_cast<double>(p.beta));
    reg = torch::where(torch::isnan(x2), torch::zeros_like(r), r).sum();
  }
  return {out, reg};
}

// args: qmin, qmax, ζ, γ, β, save (1: the forward pass writes the backward factors; only for
// a scale that is not learned, see kernels/adaround/adaround_cpu.h).
struct AdaRoundSoft : public torch::autograd::Function<AdaRoundSoft> {
  // v, x2, floor2 (empty when not frozen) [rows, cols]; s, z [rows, 1].
  static variable_list forward(AutogradContext* ctx, const torch::Tensor& v, const torch::Tensor& s,
                               const torch::Tensor& x2, const torch::Tensor& floor2, const torch::Tensor& z,
                               std::vector<double> args) {
    const auto p = params_of(x2, args[0], args[1], args[2], args[3], args[4]);
    const bool save = args[5] != 0.0;
    auto out = torch::empty_like(x2);
    torch::Tensor dout, dreg;
    if (save) dout = torch::empty_like(x2);
    if (save && p.beta > 0.0f) dreg = torch::empty_like(x2);
    auto sc = s.detach().contiguous(), zc = z.detach().contiguous();
    const double reg = kernels::adaround_soft_forward_cpu(
        p, v.data_ptr<float>(), x2.data_ptr<float>(), ptr_or_null(floor2), sc.data_ptr<float>(), zc.data_ptr<float>(),
        out.data_ptr<float>(), save ? dout.data_ptr<float>() : nullptr, dreg.defined() ? dreg.data_ptr<float>() : nullptr);
    ctx->save_for_backward({v, s, x2, floor2, z, dout, dreg});
    ctx->saved_data["args"] = args;
    return {out, torch::full({}, reg, v.options())};
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const auto &v = saved[0], &s = saved[1], &x2 = saved[2], &floor2 = saved[3], &z = saved[4];
    const auto &dout = saved[5], &dreg = saved[6];
    const auto args = ctx->saved_data["args"].toDoubleVector();
    const auto p = params_of(x2, args[0], args[1], args[2], args[3], args[4]);
    const bool need_s = ctx->needs_input_grad(1);
    torch::Tensor dv, ds;
    if (torch::GradMode::is_enabled()) {
      auto [out, reg] = tensor_formula(v, x2, floor2, s, z, p);
      std::vector<torch::Tensor> inputs = {v};
      if (need_s) inputs.push_back(s);
      std::vector<torch::Tensor> outputs = {out}, grad_outputs = {grads[0]};
      if (p.beta > 0.0f && grads[1].defined()) {
        outputs.push_back(reg);
        grad_outputs.push_back(grads[1]);
      }
      auto g = torch::autograd::grad(outputs, inputs, grad_outputs, /*retain_graph=*/true,
                                     /*create_graph=*/true, /*allow_unused=*/true);
      dv = g[0];
      if (need_s) ds = g[1];
    } else if (dout.defined() && !need_s) {
      auto g = grads[0].defined() ? grads[0].contiguous() : torch::zeros_like(x2);
      const double g_reg = grads[1].defined() ? grads[1].item<double>() : 0.0;
      dv = torch::empty_like(v);
      kernels::adaround_soft_backward_saved_cpu(p, g.data_ptr<float>(), g_reg, dout.data_ptr<float>(),
                                                ptr_or_null(dreg), dv.data_ptr<float>());
    } else {
      auto g = grads[0].defined() ? grads[0].contiguous() : torch::zeros_like(x2);
      const double g_reg = grads[1].defined() ? grads[1].item<double>() : 0.0;
      dv = torch::empty_like(v);
      torch::Tensor ds64;
      if (need_s) ds64 = torch::empty({p.rows}, x2.options().dtype(torch::kDouble));
      auto sc = s.contiguous(), zc = z.contiguous();
      kernels::adaround_soft_backward_cpu(p, g.data_ptr<float>(), g_reg, v.data_ptr<float>(), x2.data_ptr<float>(),
                                          ptr_or_null(floor2), sc.data_ptr<float>(), zc.data_ptr<float>(),
                                          dv.data_ptr<float>(), need_s ? ds64.data_ptr<double>() : nullptr);
      if (need_s) ds = ds64.to(torch::kFloat).view(s.sizes());
    }
    return {dv, ds, torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

bool adaround_fused_supported(const torch::Tensor& xg) {
  return xg.device().is_cpu() && xg.scalar_type() == torch::kFloat;
}

std::pair<torch::Tensor, torch::Tensor> adaround_soft_fused(const torch::Tensor& v, const torch::Tensor& xg,
                                                            const torch::Tensor& fixed_floor, const torch::Tensor& scale,
                                                            const torch::Tensor& zero_point, const QuantSpec& spec,
                                                            const AdaRoundOptions& o, double beta) {
  PTQ_INTERNAL_ASSERT(adaround_fused_supported(xg) && xg.dim() == 3 && v.sizes() == xg.sizes(),
                      "fused AdaRound needs CPU float [R, nG, G] weights and V of the same shape");
  const int64_t rows = xg.size(0) * xg.size(1), cols = xg.size(2);
  auto v2 = v.reshape({rows, cols});
  auto x2 = xg.detach().reshape({rows, cols}).contiguous();
  auto f2 = fixed_floor.defined() ? fixed_floor.reshape({rows, cols}).contiguous() : torch::empty({0}, xg.options());
  auto s = scale.to(torch::kFloat).reshape({rows, 1});
  auto z = zero_point.to(torch::kFloat).reshape({rows, 1}).detach();
  // Backward factors are saved when V will get a gradient and the scale will not.
  const bool save = torch::GradMode::is_enabled() && v.requires_grad() && !s.requires_grad();
  auto outs = AdaRoundSoft::apply(v2.contiguous(), s, x2, f2, z,
                                  std::vector<double>{static_cast<double>(spec.qmin()), static_cast<double>(spec.qmax()),
                                                      o.zeta, o.gamma, std::max(0.0, beta), save ? 1.0 : 0.0});
  return {outs[0].view(xg.sizes()), beta > 0.0 ? outs[1] : torch::Tensor()};
}

}  // namespace ptq
