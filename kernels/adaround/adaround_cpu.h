// AdaRound's soft quantisation and its regulariser fused into one pass each way (CPU).
// The tensor-op version (framework/recon/adaround.cpp) evaluates h(V) twice (weight and
// regulariser) and runs some twenty element-wise ops forward and as many backward per
// weight tensor and iteration; on ResNet-18's last stage (4.7 M weights) that costs as much
// as a third of the convolutions. Here, per element:
//   h   = clamp(σ(V)·(ζ − γ) + γ, 0, 1),      base = ⌊x/s⌋ (or a frozen floor)
//   out = (clamp(base + h + z, qmin, qmax) − z)·s
//   reg = Σ over valid x of 1 − |2h − 1|^β      (only when beta > 0)
// and backward, from the output gradient g and the regulariser's scalar gradient g_reg:
//   dV  = (g·s·[qmin ≤ base + h + z ≤ qmax] − g_reg·β·|2h − 1|^(β−1)·sign(2h − 1)·2)
//         · (ζ − γ)·σ(1 − σ)·[0 ≤ σ(ζ − γ) + γ ≤ 1]
//   ds  = Σ per row g·(clamp(base + h + z) − z)            (learned weight scales)
// σ and |·|^β use the vectorisable approximations of kernels/common/elementwise.h (relative
// error below 3e-7), so values differ from the tensor-op version in the last bits only.
// NaN x (padding of partial groups) gives NaN out, no regulariser term and dV = 0.
#pragma once

#include <cstdint>

namespace ptq::kernels {

struct AdaRoundRowsParams {
  int64_t rows = 1, cols = 1;  // [rows, cols] contiguous; scale / zero point per row
  float qmin = 0.0f, qmax = 15.0f;
  float zeta = 1.1f, gamma = -0.1f;
  float beta = 0.0f;  // regulariser exponent; 0 = no regulariser
};

// fixed_floor may be null (then ⌊x/s⌋). Returns the regulariser sum (0 when beta = 0).
// With dout (and, when beta > 0, dreg) the forward pass also writes the per-element factors of
// the backward pass for a scale that is not learned, so that the backward pass is one
// multiply-add per element instead of a second evaluation of σ and |·|^β:
//   dout = [qmin ≤ base + h + z ≤ qmax]·s·D,   dreg = β·|2h − 1|^(β−1)·sign(2h − 1)·2·D,
//   D = (ζ − γ)·σ(1 − σ)·[0 ≤ σ(ζ − γ) + γ ≤ 1]   (both 0 for NaN x)
double adaround_soft_forward_cpu(const AdaRoundRowsParams& p, const float* v, const float* x, const float* fixed_floor,
                                 const float* scale, const float* zero_point, float* out, float* dout = nullptr,
                                 float* dreg = nullptr);

// dV = g·dout − g_reg·dreg from the factors saved by the forward pass (dreg may be null).
void adaround_soft_backward_saved_cpu(const AdaRoundRowsParams& p, const float* grad, double grad_reg, const float* dout,
                                      const float* dreg, float* dv);

// grad: the output gradient [rows, cols]; dv is overwritten; dscale (may be null) per row.
void adaround_soft_backward_cpu(const AdaRoundRowsParams& p, const float* grad, double grad_reg, const float* v,
                                const float* x, const float* fixed_floor, const float* scale, const float* zero_point,
                                float* dv, double* dscale);

}  // namespace ptq::kernels
