// PD-Quant's objective (Liu et al., CVPR 2023; ptq-methods.md §4.1 (c)-(d)) as one ReconLoss:
//   L = ((ŷ_mix − y_fp)²).sum(1).mean() + KL(softmax(z_fp/T) ‖ softmax(z_q/T)) / λ_r
// The group's output batch has two halves (PdInputPolicy): the first, fed the QDrop-mixed
// input, is compared with the float target; the second, fed the quantised input, is pushed
// through the rest of the network with every quantiser there off (the not yet reconstructed
// part, float, BN folded) to give the logits z_q. z_fp are the float network's logits on the
// calibration images, cached per row in prepare() (before any distribution correction
// changes the float targets). The KL term is batch-mean without a T² factor, as in the
// official code (framework/recon/network_tail.h); T = 4 (ResNet, RegNet) or 1 (MobileNetV2, MnasNet), λ_r = 0.1. With a
// one-half batch (any other input policy) both terms use that batch. The rest of the
// network gets no weight gradients. Needs block (or coarser) granularity.
#pragma once

#include "framework/recon/loss.h"

namespace ptq::methods {

struct PdLossOptions {
  double temperature = 4.0;  // T
  double lambda_r = 0.1;     // the PD term is divided by it
  void validate() const;
};

class PredictionDifferenceLoss final : public ReconLoss {
 public:
  explicit PredictionDifferenceLoss(PdLossOptions o);
  std::string name() const override { return "pd"; }
  void prepare(GroupContext& g) override;
  torch::Tensor compute(const LossBatch& b, LossTerms& terms) override;

 private:
  PdLossOptions o_;
};

}  // namespace ptq::methods
