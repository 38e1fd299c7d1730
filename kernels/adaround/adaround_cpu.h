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

#include "kernels/optim/adam_cpu.h"

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

// Inline Adam (framework/recon/adaround_fused.h): the previous iteration's Adam step on V,
// folded into the next forward pass so that V, its moments and the gradient factors are read
// once instead of in three passes (backward, Adam, forward). Per element, before the forward
// pass reads V:
//   dV = g·dout − g_reg·dreg     (the previous pass's factors, as adaround_soft_backward_saved_cpu)
//   V, m, v ← Adam(V, dV)        (as adam_step_cpu)
// and the forward pass then overwrites dout / dreg (same buffers allowed) with its own
// factors. Results equal backward_saved + adam_step + forward bit for bit.
struct AdaRoundPendingAdam {
  AdamStepParams step;
  const float* grad = nullptr;  // ∂L/∂Ŵ of the previous pass [rows, cols]
  double grad_reg = 0.0;        // ∂L/∂f_reg of the previous pass (0: no regulariser gradient)
  const float* dout = nullptr;  // the previous pass's saved factors; dreg null without regulariser;
                                // dout null: grad is dV itself (gradients of several passes summed)
  const float* dreg = nullptr;
  float* exp_avg = nullptr;     // Adam's moments of V [rows, cols]
  float* exp_avg_sq = nullptr;
};

// The pending update, then the forward pass of adaround_soft_forward_cpu on the updated V.
double adaround_adam_soft_forward_cpu(const AdaRoundRowsParams& p, const AdaRoundPendingAdam& pending, float* v,
                                      const float* x, const float* fixed_floor, const float* scale,
                                      const float* zero_point, float* out, float* dout, float* dreg);

// The pending update alone (when V is read before the next forward pass).
void adaround_adam_apply_cpu(const AdaRoundRowsParams& p, const AdaRoundPendingAdam& pending, float* v);

// dV = g·dout − g_reg·dreg from the factors saved by the forward pass (dreg may be null).
void adaround_soft_backward_saved_cpu(const AdaRoundRowsParams& p, const float* grad, double grad_reg, const float* dout,
                                      const float* dreg, float* dv);

// grad: the output gradient [rows, cols]; dv is overwritten; dscale (may be null) per row.
void adaround_soft_backward_cpu(const AdaRoundRowsParams& p, const float* grad, double grad_reg, const float* v,
                                const float* x, const float* fixed_floor, const float* scale, const float* zero_point,
                                float* dv, double* dscale);

}  // namespace ptq::kernels
