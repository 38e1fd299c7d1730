#include "framework/recon/adaround_fused.h"

#include "framework/core/check.h"
#include "framework/recon/adaround.h"
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

// Inline Adam (InlineAdam): the node hands ∂L/∂Ŵ and ∂L/∂f_reg to the InlineAdam in the
// capsule instead of producing dV; the forward pass applied the previous update.
struct AdaRoundSoftInline : public torch::autograd::Function<AdaRoundSoftInline> {
  static variable_list forward(AutogradContext* ctx, const torch::Tensor& v, const torch::Tensor& x2,
                               const torch::Tensor& floor2, const torch::Tensor& s, const torch::Tensor& z,
                               std::vector<double> args, c10::intrusive_ptr<InlineAdam> adam) {
    const auto p = params_of(x2, args[0], args[1], args[2], args[3], args[4]);
    const bool reg = p.beta > 0.0f;
    auto out = torch::empty_like(x2);
    auto sc = s.contiguous(), zc = z.contiguous();
    const auto pending = adam->take_pending();
    torch::Tensor& dout = adam->factors(false, p.rows, p.cols, x2.options());
    float* dreg = reg ? adam->factors(true, p.rows, p.cols, x2.options()).data_ptr<float>() : nullptr;
    // V is updated in place (no graph holds it: the node saves nothing but the capsule).
    auto vd = v.detach();
    const double sum = pending ? kernels::adaround_adam_soft_forward_cpu(
                                     p, *pending, vd.data_ptr<float>(), x2.data_ptr<float>(), ptr_or_null(floor2),
                                     sc.data_ptr<float>(), zc.data_ptr<float>(), out.data_ptr<float>(),
                                     dout.data_ptr<float>(), dreg)
                               : kernels::adaround_soft_forward_cpu(p, vd.data_ptr<float>(), x2.data_ptr<float>(),
                                                                    ptr_or_null(floor2), sc.data_ptr<float>(),
                                                                    zc.data_ptr<float>(), out.data_ptr<float>(),
                                                                    dout.data_ptr<float>(), dreg);
    adam->saved_factors(reg);
    ctx->saved_data["adam"] = c10::IValue::make_capsule(std::move(adam));
    return {out, torch::full({}, sum, x2.options())};
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    PTQ_CHECK(!torch::GradMode::is_enabled(),
              "AdaRound with inline Adam cannot take higher-order gradients (create_graph); build the "
              "rounding without InlineAdam for such a loop");
    auto adam = c10::static_intrusive_pointer_cast<InlineAdam>(ctx->saved_data["adam"].toCapsule());
    auto g = grads[0].defined() ? grads[0].contiguous() : torch::Tensor();
    const double g_reg = grads[1].defined() ? grads[1].item<double>() : 0.0;
    adam->add_gradient(g, g_reg);
    return {torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor(),
            torch::Tensor()};
  }
};

// The update applied by a forward pass without gradient (the factors are not rewritten).
void apply_pending_without_forward(InlineAdam& adam, const torch::Tensor& v) {
  if (const auto pending = adam.take_pending()) {
    auto vd = v.detach();
    kernels::AdaRoundRowsParams p;
    p.rows = 1;
    p.cols = vd.numel();
    kernels::adaround_adam_apply_cpu(p, *pending, vd.data_ptr<float>());
  }
}

}  // namespace

InlineAdam::InlineAdam(const torch::Tensor& v)
    : v_(v.detach()), m_(torch::zeros_like(v_)), s2_(torch::zeros_like(v_)) {
  PTQ_INTERNAL_ASSERT(adaround_fused_supported(v_) && v_.is_contiguous(), "inline Adam needs a contiguous CPU float V");
}

torch::Tensor InlineAdam::dv_of(const torch::Tensor& grad, double grad_reg) const {
  kernels::AdaRoundRowsParams p;
  p.rows = 1;
  p.cols = v_.numel();
  auto dv = torch::empty_like(v_);
  kernels::adaround_soft_backward_saved_cpu(p, grad.data_ptr<float>(), grad_reg, dout_.data_ptr<float>(),
                                            dreg_valid_ ? dreg_.data_ptr<float>() : nullptr, dv.data_ptr<float>());
  return dv;
}

void InlineAdam::add_gradient(const torch::Tensor& grad, double grad_reg) {
  auto g = grad.defined() ? grad : torch::zeros_like(v_);
  PTQ_INTERNAL_ASSERT(g.numel() == v_.numel() && g.is_contiguous(), "inline Adam: gradient of another shape");
  if (!has_grad_) {
    grad_ = g;
    grad_reg_ = grad_reg;
    grad_is_dv_ = false;
    has_grad_ = true;
    return;
  }
  // A second backward pass before the step: sum dV per pass, as V.grad would accumulate.
  if (!grad_is_dv_) grad_ = dv_of(grad_, grad_reg_);
  grad_ = grad_ + dv_of(g, grad_reg);
  grad_reg_ = 0.0;
  grad_is_dv_ = true;
}

void InlineAdam::step(double lr) {
  flush();
  ++t_;
  if (!has_grad_) return;
  has_grad_ = false;
  pending_ = true;
  pending_t_ = t_;
  lr_ = lr;
}

void InlineAdam::flush() { apply_pending_without_forward(*this, v_); }

torch::Tensor& InlineAdam::factors(bool reg, int64_t rows, int64_t cols, const torch::TensorOptions& options) {
  torch::Tensor& t = reg ? dreg_ : dout_;
  // Reused in place unless something else still holds the buffer.
  if (!t.defined() || t.use_count() > 1 || t.numel() != rows * cols) t = torch::empty({rows, cols}, options);
  return t;
}

std::optional<kernels::AdaRoundPendingAdam> InlineAdam::take_pending() {
  if (!pending_) return std::nullopt;
  pending_ = false;
  PTQ_INTERNAL_ASSERT(dout_.defined() && grad_.numel() == v_.numel(), "inline Adam: an update without its factors");
  kernels::AdaRoundPendingAdam a;
  a.step.lr = lr_;
  a.step.step = pending_t_;
  a.grad = grad_.data_ptr<float>();
  a.grad_reg = grad_reg_;
  a.dout = grad_is_dv_ ? nullptr : dout_.data_ptr<float>();
  a.dreg = !grad_is_dv_ && dreg_valid_ && dreg_.defined() ? dreg_.data_ptr<float>() : nullptr;
  a.exp_avg = m_.data_ptr<float>();
  a.exp_avg_sq = s2_.data_ptr<float>();
  return a;
}

bool adaround_fused_supported(const torch::Tensor& xg) {
  return xg.device().is_cpu() && xg.scalar_type() == torch::kFloat;
}

std::pair<torch::Tensor, torch::Tensor> adaround_soft_fused(const torch::Tensor& v, const torch::Tensor& xg,
                                                            const torch::Tensor& fixed_floor, const torch::Tensor& scale,
                                                            const torch::Tensor& zero_point, const QuantSpec& spec,
                                                            const AdaRoundOptions& o, double beta, const c10::intrusive_ptr<InlineAdam>& adam) {
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
  std::vector<double> args{static_cast<double>(spec.qmin()), static_cast<double>(spec.qmax()), o.zeta, o.gamma,
                           std::max(0.0, beta), save ? 1.0 : 0.0};
  if (adam) {
    PTQ_INTERNAL_ASSERT(!s.requires_grad(), "inline Adam with a learned weight scale");
    if (!save) apply_pending_without_forward(*adam, v);  // the update is due before V is read
    if (save) {
      auto outs = AdaRoundSoftInline::apply(v2, x2, f2, s.detach(), z, args,
                                            adam);
      return {outs[0].view(xg.sizes()), beta > 0.0 ? outs[1] : torch::Tensor()};
    }
  }
  auto outs = AdaRoundSoft::apply(v2.contiguous(), s, x2, f2, z, args);
  return {outs[0].view(xg.sizes()), beta > 0.0 ? outs[1] : torch::Tensor()};
}

}  // namespace ptq
