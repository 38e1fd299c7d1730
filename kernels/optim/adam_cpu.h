// Adam (Kingma & Ba; PyTorch's formulation, no weight decay, no AMSGrad) as one pass over a
// parameter, its gradient and its two moments. torch::optim::Adam runs six element-wise ops
// and two temporaries per parameter and step; on AdaRound's V (one float per weight) that
// is a visible share of a reconstruction iteration.
//   m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²
//   p ← p − lr/(1 − β1^t) · m / (√v / √(1 − β2^t) + ε)
#pragma once

#include <cstdint>

namespace ptq::kernels {

struct AdamStepParams {
  double lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  int64_t step = 1;  // t, counted from 1
};

void adam_step_cpu(const AdamStepParams& a, int64_t n, float* param, const float* grad, float* exp_avg,
                   float* exp_avg_sq);

}  // namespace ptq::kernels
