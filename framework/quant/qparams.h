// Quantisation parameters from a range: the one place that maps (min, max) per group to
// (scale, zero point) for every QuantSpec, used by all observers.
//   asymmetric int: range widened to include 0; s = (max − min)/(qmax − qmin),
//                   z = clamp(qmin − round(min/s), qmin, qmax)            (MQBench/QDrop)
//   symmetric signed int:   s = max(|min|, |max|) / ((qmax − qmin)/2), z = 0  (e.g. /7.5 at 4 bits)
//   symmetric unsigned int: s = max(max, 0) / qmax, z = 0
//   minifloat:              s = max(|min|, |max|) / format max, z = 0
// Scales are clamped to >= 1e-8 so constant tensors never divide by zero.
#pragma once

#include "framework/quant/quant_spec.h"

#include <torch/torch.h>

namespace ptq {

struct QParams {
  torch::Tensor scale;       // float32 [R, nG]
  torch::Tensor zero_point;  // float32 [R, nG], integer-valued
};

QParams qparams_from_range(const torch::Tensor& min, const torch::Tensor& max, const QuantSpec& spec);

// NaN-aware per-group min and max of a grouped tensor [R, nG, G] -> [R, nG] each.
std::pair<torch::Tensor, torch::Tensor> group_min_max(const torch::Tensor& xg);

constexpr double kMinScale = 1e-8;

}  // namespace ptq
