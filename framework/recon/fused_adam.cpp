#include "framework/recon/fused_adam.h"

#include "framework/core/check.h"
#include "kernels/optim/adam_cpu.h"

namespace ptq {

FusedAdam::FusedAdam(std::vector<torch::Tensor> params, double lr) : lr_(lr) {
  std::vector<torch::Tensor> other;
  for (auto& p : params) {
    if (p.device().is_cpu() && p.scalar_type() == torch::kFloat && p.is_contiguous())
      fused_.push_back({p, torch::zeros_like(p), torch::zeros_like(p)});
    else
      other.push_back(p);
  }
  if (!other.empty()) fallback_ = std::make_unique<torch::optim::Adam>(other, torch::optim::AdamOptions(lr));
}

void FusedAdam::zero_grad() {
  for (auto& s : fused_)
    if (s.param.grad().defined()) s.param.mutable_grad() = torch::Tensor();
  if (fallback_) fallback_->zero_grad();
}

void FusedAdam::step() {
  ++step_;
  kernels::AdamStepParams a;
  a.lr = lr_;
  a.step = step_;
  torch::NoGradGuard no_grad;
  for (auto& s : fused_) {
    const auto& g = s.param.grad();
    if (!g.defined()) continue;
    auto gc = g.contiguous();
    PTQ_INTERNAL_ASSERT(gc.sizes() == s.param.sizes(), "Adam: gradient shape differs from its parameter");
    kernels::adam_step_cpu(a, s.param.numel(), s.param.data_ptr<float>(), gc.data_ptr<float>(),
                           s.exp_avg.data_ptr<float>(), s.exp_avg_sq.data_ptr<float>());
  }
  if (fallback_) fallback_->step();
}

void FusedAdam::set_lr(double lr) {
  lr_ = lr;
  if (fallback_)
    for (auto& group : fallback_->param_groups()) static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
}

}  // namespace ptq
