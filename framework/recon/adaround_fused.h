// AdaRound's soft fake-quant and regulariser as one autograd node on CPU (the loops are in
// kernels/adaround/adaround_cpu.h). AdaRound::fake_quant uses it while soft rounding on CPU
// float tensors; the tensor-op formulation in adaround.cpp stays the specification, the
// CUDA path and the fallback for higher-order gradients (a backward pass run with
// create_graph re-derives the gradients from the tensor-op formula).
#pragma once

#include "framework/quant/quant_spec.h"
#include "framework/recon/adaround.h"

#include <torch/torch.h>

#include <utility>

namespace ptq {

bool adaround_fused_supported(const torch::Tensor& xg);

// v, xg [R, nG, G] (xg is the frozen weight, NaN padding allowed); fixed_floor [R, nG, G] or
// undefined; scale (may require grad) and zero_point [R, nG]. Returns the soft-quantised
// weight and, when beta > 0, the regulariser Σ(1 − |2h(V) − 1|^β) over valid weights as a
// 0-dim tensor (an undefined tensor when beta <= 0). Differentiable w.r.t. v and scale.
std::pair<torch::Tensor, torch::Tensor> adaround_soft_fused(const torch::Tensor& v, const torch::Tensor& xg,
                                                            const torch::Tensor& fixed_floor, const torch::Tensor& scale,
                                                            const torch::Tensor& zero_point, const QuantSpec& spec,
                                                            const AdaRoundOptions& options, double beta);

}  // namespace ptq
