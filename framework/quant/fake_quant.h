// Fake quantisation in autograd (quantise then dequantise, staying in float):
//
//   int:   x̂ = (clamp(round(x/s) + z, qmin, qmax) − z) · s
//   float: x̂ = s · round_minifloat(clamp(x/s, −max, max))
//
// Rounding uses the straight-through estimator (round_ste: forward round-half-even,
// backward identity), so gradients reach x inside the clipping range and reach s exactly as
// in LSQ (through x/s, the clamp and the final ·s). A fixed-scale quantiser simply passes a
// scale that does not require grad. All functions work on the grouped layout [R, nG, G]
// with parameters [R, nG] (see grouping.h).
#pragma once

#include "framework/quant/quant_spec.h"

#include <torch/torch.h>

namespace ptq {

// Forward: round half to even; backward: identity.
torch::Tensor round_ste(const torch::Tensor& x);

// Forward value s, gradient scaled by g (LSQ's 1/sqrt(N·Qp) trick).
torch::Tensor scale_grad(const torch::Tensor& s, double g);

// Grouped integer fake-quant; scale/zero_point [R, nG] broadcast over G.
torch::Tensor fake_quant_int_grouped(const torch::Tensor& xg, const torch::Tensor& scale,
                                     const torch::Tensor& zero_point, int64_t qmin, int64_t qmax);

// Rounds y (already divided by the scale) to the nearest value of the minifloat grid,
// saturating at ±max_value (no inf/NaN are produced). No gradient handling.
torch::Tensor round_to_minifloat(const torch::Tensor& y, const MiniFloat& f);

// Grouped minifloat fake-quant with STE; scale [R, nG].
torch::Tensor fake_quant_float_grouped(const torch::Tensor& xg, const torch::Tensor& scale,
                                       const MiniFloat& f);

// Dispatch on spec.format for grouped tensors.
torch::Tensor fake_quant_grouped(const torch::Tensor& xg, const torch::Tensor& scale,
                                 const torch::Tensor& zero_point, const QuantSpec& spec);

// Convenience for whole tensors: groups, fake-quantises and restores the shape.
torch::Tensor fake_quant(const torch::Tensor& x, const torch::Tensor& scale,
                         const torch::Tensor& zero_point, const QuantSpec& spec);

}  // namespace ptq
