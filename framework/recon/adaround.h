// AdaRound (Nagel et al., 2020) as every reference code base implements it
// (ptq-methods.md §1): each weight learns whether it rounds down or up.
//
//   h(V)   = clamp(sigmoid(V)·(ζ − γ) + γ, 0, 1)            ζ = 1.1, γ = −0.1
//   soft   : Ŵ = s·(clamp(⌊W/s⌋ + h(V) + z, qmin, qmax) − z)   (training)
//   hard   : Ŵ = s·(clamp(⌊W/s⌋ + [V ≥ 0] + z, qmin, qmax) − z)
//   V0     = −log((ζ − γ)/(rest − γ) − 1) with rest = W/s − ⌊W/s⌋, so h(V0) = rest and the
//            soft weight starts equal to the float weight (up to clipping)
//   f_reg  = Σ (1 − |2h(V) − 1|^β), over every weight (NaN padding of partial groups excluded)
//   β(t)   = β_start until warmup·T, then linear to β_end at T (BRECQ's LinearTempDecay;
//            t counts from 1 as in the code); the regulariser is off before warmup·T.
// ⌊W/s⌋ is recomputed from the frozen weight at each call (BRECQ, QDrop, PD-Quant) unless
// fixed_floor, which freezes it at construction (MetaAug, whose weight scale is learned).
// After optimisation the decision [V ≥ 0] is kept as a HardRounding policy in the quantiser
// (BRECQ keeps AdaRound in hard mode; QDrop writes the rounded weight back instead — the same
// quantised network, but ptq keeps the float weights so later passes and the float targets
// still see the original model).
// LoRA-Rounding (CBQ, ptq-methods.md §6), rank r > 0: V = V0 + A1·A2 with V0 the initial V
// above (a constant), A1 [R, r] ~ N(0, 1/r) and A2 [r, nG·G] = 0 learned, so training starts at
// the float weight exactly as AdaRound does and learns (R + nG·G)·r numbers instead of R·nG·G.
// (The paper states V = A1·A2 without V0; adding the AdaRound initialisation as a fixed base is
// inferred, LoRA's usual form.) At full rank every V is reachable; the rectified sigmoid, the
// regulariser and the hard decision are AdaRound's, computed from this V.
// Integer formats only.
#pragma once

#include "framework/quant/rounding_policy.h"
#include "framework/recon/adaround_fused.h"

#include <torch/torch.h>

namespace ptq {

struct AdaRoundOptions {
  double zeta = 1.1;
  double gamma = -0.1;
  double lambda = 0.01;     // regulariser weight (0.1 MobileNetV2, 0.2 MnasNet, 1.0 MetaAug)
  double warmup = 0.2;      // fraction of iterations without the regulariser / with β_start
  double beta_start = 20.0;
  double beta_end = 2.0;
  double lr = 1e-3;         // Adam on V (PD-Quant: 3e-3)
  bool fixed_floor = false; // freeze ⌊W/s⌋ at construction (MetaAug)
  int64_t rank = 0;         // LoRA-Rounding rank (CBQ); 0 = a full V (AdaRound)

  void validate(const std::string& where) const;
};

class AdaRound final : public RoundingPolicy {
 public:
  // weight_grouped [R, nG, G] (NaN padding allowed), scale / zero_point [R, nG].
  AdaRound(const torch::Tensor& weight_grouped, const torch::Tensor& scale, const QuantSpec& spec,
           const AdaRoundOptions& options);

  torch::Tensor fake_quant(const torch::Tensor& xg, const torch::Tensor& scale, const torch::Tensor& zero_point,
                           const QuantSpec& spec) override;

  // Soft (h(V)) while optimising, hard ([V ≥ 0]) afterwards.
  void set_soft(bool soft) { soft_ = soft; }
  bool soft() const { return soft_; }

  torch::Tensor h() const;                         // rectified sigmoid of V
  torch::Tensor regularizer(double beta) const;    // f_reg (scalar, differentiable in V)

  // The regulariser fused into the soft forward pass (CPU): set β (0 = none) before the
  // forward pass, then take_regularizer(β) returns the term that pass computed, or computes
  // it now (CUDA, or no soft forward pass since).
  void set_regularizer_beta(double beta) { reg_beta_ = beta; }
  torch::Tensor take_regularizer(double beta);
  // A tensor used in place of V by the soft forward pass while set (undefined = none; tensor
  // ops, not the fused kernel): MetaAug's one-step-updated V̄, a differentiable function of V.
  void set_v_override(torch::Tensor v) { v_override_ = std::move(v); }
  // The learned parameter [R, nG, G] (any pending inline-Adam update applied first); with
  // LoRA-Rounding the fixed base V0.
  torch::Tensor& v() {
    flush_update();
    return v_;
  }
  // The tensors an optimiser updates: {V}, or {A1, A2} with LoRA-Rounding.
  std::vector<torch::Tensor> parameters();
  // V as the forward pass uses it (V, or V0 + A1·A2; differentiable).
  torch::Tensor current_v() const;
  int64_t rank() const { return a1_.defined() ? a1_.size(1) : 0; }

  // Inline Adam (adaround_fused.h): V is optimised by Adam folded into the fused CPU forward
  // pass, instead of by an optimiser over v() (which then gets no .grad). Call
  // inline_adam_step() after every backward pass; every read of V applies a pending update.
  // Only for CPU float weights whose scale is not learned (check inline_adam_supported()).
  bool inline_adam_supported() const;
  void use_inline_adam();
  void inline_adam_step(double lr);
  void flush_update() const;

  // The decided rounding as a compact policy (one bool per weight; no autograd state), which
  // stays installed in the weight quantiser after reconstruction. The float weights are kept,
  // so the float network (every quantiser off) is still the original one.
  std::shared_ptr<RoundingPolicy> hardened() const;

 private:
  AdaRoundOptions options_;
  torch::Tensor v_, valid_, floor_, v_override_;
  torch::Tensor a1_, a2_;  // LoRA-Rounding factors (undefined for a full V)
  bool soft_ = true;
  double reg_beta_ = 0.0, last_reg_beta_ = 0.0;
  torch::Tensor last_reg_;
  c10::intrusive_ptr<InlineAdam> inline_adam_;
};

// Learned rounding after AdaRound: Ŵ = s·(clamp(⌊W/s⌋ + up + z, qmin, qmax) − z), with ⌊W/s⌋
// recomputed from the weight, or frozen when the scale was learned (fixed_floor).
class HardRounding final : public RoundingPolicy {
 public:
  HardRounding(torch::Tensor up, torch::Tensor fixed_floor) : up_(std::move(up)), floor_(std::move(fixed_floor)) {}
  torch::Tensor fake_quant(const torch::Tensor& xg, const torch::Tensor& scale, const torch::Tensor& zero_point,
                           const QuantSpec& spec) override;
  const torch::Tensor& up() const { return up_; }

 private:
  torch::Tensor up_, floor_;  // floor_ undefined unless frozen
};

// β at step t of T (t from 1), and whether the regulariser is active.
double adaround_beta(int64_t t, int64_t total, const AdaRoundOptions& o);
bool adaround_regularizer_active(int64_t t, int64_t total, const AdaRoundOptions& o);

// Closed-form cosine annealing (CosineAnnealingLR, eta_min = 0): the lr used at step t of T (t from 0).
double cosine_lr(double base, int64_t t, int64_t total);

}  // namespace ptq
