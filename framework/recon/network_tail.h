// The rest of the network after a reconstruction group, and the prediction-level terms that
// read it. PD-Quant's prediction-difference loss and MetaAug's outer (validation) objective
// both push a group's output through the not-yet-reconstructed units, float (every quantiser
// there off), with no gradient into those units' weights, and compare the logits with the
// float network's by a tempered KL divergence.
#pragma once

#include "framework/nn/model.h"
#include "framework/recon/granularity.h"

#include <vector>

namespace ptq {

// Makes the parameters of units [begin, end) — or, without a range, every parameter of the
// model — constants while alive (the graph is recorded without their gradient edges);
// restores requires_grad afterwards.
class NoWeightGrad {
 public:
  NoWeightGrad(QuantModelImpl& model, size_t begin, size_t end);
  explicit NoWeightGrad(QuantModelImpl& model);
  ~NoWeightGrad();
  NoWeightGrad(const NoWeightGrad&) = delete;
  NoWeightGrad& operator=(const NoWeightGrad&) = delete;

 private:
  std::vector<torch::Tensor> params_;
};

// Units [group.unit_end, end of model) on x: every quantiser there off, no gradient into their
// weights (gradient into `x` when it requires one). x itself when the group ends the model.
torch::Tensor tail_logits(QuantModelImpl& model, const ReconGroup& group, const torch::Tensor& x);

// KL(softmax(p/T) ‖ softmax(q/T)) summed over classes, averaged over the batch (PyTorch's
// KLDivLoss(reduction='batchmean') on log_softmax(q/T), softmax(p/T); no T² factor).
torch::Tensor prediction_kl(const torch::Tensor& logits_fp, const torch::Tensor& logits_q, double temperature);

}  // namespace ptq
