// AdaRound's soft fake-quant and regulariser as one autograd node on CPU (the loops are in
// kernels/adaround/adaround_cpu.h). AdaRound::fake_quant uses it while soft rounding on CPU
// float tensors; the tensor-op formulation in adaround.cpp stays the specification, the
// CUDA path and the fallback for higher-order gradients (a backward pass run with
// create_graph re-derives the gradients from the tensor-op formula).
#pragma once

#include "framework/quant/quant_spec.h"

#include "kernels/adaround/adaround_cpu.h"

#include <ATen/core/ivalue.h>
#include <torch/torch.h>

#include <optional>
#include <utility>

namespace ptq {

struct AdaRoundOptions;  // framework/recon/adaround.h

bool adaround_fused_supported(const torch::Tensor& xg);

// Adam on V folded into the fused soft forward pass ("inline Adam", CPU float V whose scale
// is not learned). On ResNet-18's last stage the separate backward (dV) and Adam passes over
// V cost about a third of the forward pass's time, all of it memory traffic the forward pass
// can absorb. With inline Adam the autograd node's backward only hands ∂L/∂Ŵ and ∂L/∂f_reg
// to this object (V gets no .grad); step() after the backward pass makes them the pending
// update, which the next soft forward pass applies element by element just before reading V
// (kernels/adaround/adaround_cpu.h), or flush() applies at once. Values equal the separate
// backward + Adam (FusedAdam) + forward sequence bit for bit.
class InlineAdam : public torch::CustomClassHolder {
 public:
  explicit InlineAdam(const torch::Tensor& v);

  void step(double lr);  // after a backward pass; t counts every call, as Adam's step
  void flush();          // applies a pending update to V now (no-op without one)
  bool pending() const { return pending_; }

  // Used by the fused node (adaround_fused.cpp).
  void add_gradient(const torch::Tensor& grad, double grad_reg);
  // The factor buffers the next forward pass with gradient writes ([rows, cols]); reused in place.
  torch::Tensor& factors(bool reg, int64_t rows, int64_t cols, const torch::TensorOptions& options);
  // The pending update for a kernel call (which must apply it), or none; the gradient it
  // points to stays alive until the next add_gradient.
  std::optional<kernels::AdaRoundPendingAdam> take_pending();
  void saved_factors(bool reg) { dreg_valid_ = reg; }

 private:
  torch::Tensor dv_of(const torch::Tensor& grad, double grad_reg) const;  // dV of one pass

  torch::Tensor v_, m_, s2_, grad_, dout_, dreg_;  // v_ shares V's storage
  double grad_reg_ = 0.0, lr_ = 0.0;
  int64_t t_ = 0, pending_t_ = 0;
  bool has_grad_ = false, grad_is_dv_ = false, pending_ = false, dreg_valid_ = false;
};

// v, xg [R, nG, G] (xg is the frozen weight, NaN padding allowed); fixed_floor [R, nG, G] or
// undefined; scale (may require grad) and zero_point [R, nG]. Returns the soft-quantised
// weight and, when beta > 0, the regulariser Σ(1 − |2h(V) − 1|^β) over valid weights as a
// 0-dim tensor (an undefined tensor when beta <= 0). Differentiable w.r.t. v and scale;
// with `adam` (see InlineAdam) V's gradient goes to it instead.
std::pair<torch::Tensor, torch::Tensor> adaround_soft_fused(const torch::Tensor& v, const torch::Tensor& xg,
                                                            const torch::Tensor& fixed_floor, const torch::Tensor& scale,
                                                            const torch::Tensor& zero_point, const QuantSpec& spec,
                                                            const AdaRoundOptions& options, double beta,
                                                            const c10::intrusive_ptr<InlineAdam>& adam = {});

}  // namespace ptq
