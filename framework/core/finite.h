// Non-finite (NaN/Inf) detection for the places where bad numbers first enter ptq: loaded
// checkpoints, calibration activations, computed scales, evaluation logits. The reconstruction
// loss has its own check (recon/group_optimizer.cpp). Each caller names the tensor; this
// helper only says what is wrong with it, so that every message has the same shape.
#pragma once

#include <torch/torch.h>

#include <string>

namespace ptq {

// Whether every element of `t` is finite (true for integer and empty tensors).
bool all_finite(const torch::Tensor& t);

// "" when all elements are finite; otherwise e.g. "3 of 1024 values are not finite (first:
// nan at [0, 5])".
std::string nonfinite_summary(const torch::Tensor& t);

}  // namespace ptq
