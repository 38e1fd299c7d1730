// brecq — BRECQ (Li et al., ICLR 2021): block reconstruction, as the released code runs it
// (ptq-methods.md §2):
//   1. weight stage: every unit except the stem (nearest rounding, BRECQ's
//      ignore_reconstruction) is reconstructed with AdaRound on inputs from the network
//      whose earlier weights are quantised and activations float; 20,000 iterations,
//      batch 32 (randperm), λ = 0.01, loss lp p = 2 — or the Fisher-diagonal loss
//      (loss.kind: fisher), which works here (the official path crashes and degenerates
//      to MSE; framework/recon/loss.h);
//   2. activation ranges calibrated (calibration.* — the preset uses 64 images, sequential);
//   3. activation stage (`act_stage:`): LSQ step sizes of each unit's activation quantisers
//      learned for 5,000 iterations with Adam lr 4e-4 and cosine annealing, loss lp
//      p = 2.4, inputs from the float network, weights frozen.
// Keys under `method:` configure the weight stage, keys under `method.act_stage:` the
// activation stage (plus `enabled`), both with every option of recon_config.h.
#pragma once

#include "framework/method/method.h"
#include "framework/recon/recon_options.h"

namespace ptq::methods {

class BrecqMethod final : public Method {
 public:
  BrecqMethod(ReconOptions weights, bool act_stage, ReconOptions acts)
      : weights_(std::move(weights)), act_stage_(act_stage), acts_(std::move(acts)) {}
  std::string name() const override { return "brecq"; }
  void apply(MethodContext& ctx) override;

  static ReconOptions weight_preset();
  static ReconOptions act_preset();
  static std::unique_ptr<Method> from_config(const config::Section& section);

 private:
  ReconOptions weights_;
  bool act_stage_;
  ReconOptions acts_;
};

}  // namespace ptq::methods
