// Adam for the reconstruction loop's learned pieces (AdaRound's V, LSQ step sizes, weight
// scales): PyTorch's Adam update (defaults β = (0.9, 0.999), ε = 1e-8, as the reference code
// uses) done in one pass per CPU float parameter (kernels/optim/adam_cpu.h); other
// parameters (CUDA) go through torch::optim::Adam. The learning rate can be changed between
// steps (cosine schedules).
#pragma once

#include <torch/torch.h>

#include <memory>
#include <vector>

namespace ptq {

class FusedAdam {
 public:
  FusedAdam(std::vector<torch::Tensor> params, double lr);
  void zero_grad();
  void step();
  void set_lr(double lr);
  double lr() const { return lr_; }

 private:
  struct State {
    torch::Tensor param, exp_avg, exp_avg_sq;
  };
  double lr_;
  int64_t step_ = 0;
  std::vector<State> fused_;
  std::unique_ptr<torch::optim::Adam> fallback_;
};

}  // namespace ptq
