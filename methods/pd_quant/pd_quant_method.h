// pd_quant — PD-Quant (Liu et al., CVPR 2023), the official code's protocol (ptq-methods.md
// §4): QDrop's block reconstruction (the `master` quantisers, drop probability 0.5 on the
// block input and inside the block, joint V + LSQ step sizes) composed with two pieces of its
// own, PdInputPolicy (the batch is [QDrop mix; quantised input], 2 × 32 rows) and
// PredictionDifferenceLoss (feature MSE on the mixed half + KL of the network's predictions
// from the quantised half, T and λ_r). Preset: V lr 3e-3 (not QDrop's 1e-3), λ = 0.01
// (ResNet, RegNet; 0.1 MobileNetV2, 0.2 MnasNet), T = 4 (1 for MobileNetV2 / MnasNet),
// λ_r = 0.1, 20,000 iterations, batch 32, scale lr 4e-5 cosine, activation ranges per block
// from 256 cached quantised inputs (act_init: per_group; no LSQ gradient scale is
// quant.act.lsq_grad_scale: false in configs/_base_/methods/pd_quant.yaml).
// Distribution correction of the float block inputs (§4.1 (b)): dc.{enabled, iters 500,
// lr 1e-3, lambda_c 0.02 (0.01 RegNet, 0.005 MobileNetV2, 0.001 MnasNet), patience 100,
// min_lr 1e-5, chunk 32}.
#pragma once

#include "framework/method/method.h"
#include "framework/recon/recon_options.h"
#include "methods/pd_quant/distribution_correction.h"
#include "methods/pd_quant/prediction_difference_loss.h"

namespace ptq::methods {

struct PdQuantOptions {
  ReconOptions recon;
  PdLossOptions pd;
  DcOptions dc;
};

class PdQuantMethod final : public Method {
 public:
  explicit PdQuantMethod(PdQuantOptions options) : options_(std::move(options)) {}
  std::string name() const override { return "pd_quant"; }
  void apply(MethodContext& ctx) override;
  const PdQuantOptions& options() const { return options_; }

  static PdQuantOptions preset();
  static std::unique_ptr<Method> from_config(const config::Section& section);

 private:
  PdQuantOptions options_;
};

}  // namespace ptq::methods
