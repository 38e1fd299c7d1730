// PD-Quant's objective (Liu et al., CVPR 2023; ptq-methods.md §4.1 (c)-(d)) as one ReconLoss:
//   L = ((ŷ_mix − y_fp)²).sum(1).mean() + KL(softmax(z_fp/T) ‖ softmax(z_q/T)) / λ_r
// The group's output batch has two halves (PdInputPolicy): the first, fed the QDrop-mixed
// input, is compared with the float target; the second, fed the quantised input, is pushed
// through the rest of the network with every quantiser there off (the not yet reconstructed
// part, float, BN folded) to give the logits z_q. z_fp are the float network's logits on the
// calibration images, cached per row in prepare() (before any distribution correction
// changes the float targets). The KL term is batch-mean without a T² factor, as in the
// official code; T = 4 (ResNet, RegNet) or 1 (MobileNetV2, MnasNet), λ_r = 0.1. With a
// one-half batch (any other input policy) both terms use that batch. The rest of the
// network gets no weight gradients. Needs block (or coarser) granularity.
#pragma once

#include "framework/quant/quantizer.h"
#include "framework/recon/loss.h"

#include <vector>

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

  // The rest of the network after the group on a batch of group outputs: every quantiser
  // there off, no gradient into its weights (gradient into `x` when it requires one).
  static torch::Tensor rest_logits(QuantModelImpl& model, const ReconGroup& group, const torch::Tensor& x);

 private:
  PdLossOptions o_;
};

// KL(softmax(p/T) ‖ softmax(q/T)) summed over classes, averaged over the batch.
torch::Tensor prediction_difference(const torch::Tensor& logits_fp, const torch::Tensor& logits_q, double temperature);

}  // namespace ptq::methods
