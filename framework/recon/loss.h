// Reconstruction losses: the pluggable objective of the loop. Every loss returns a scalar
// and names its terms for the log; the loop adds them up (plus AdaRound's regulariser).
//   lp     — BRECQ's lp_loss: (|ŷ − y|^p) summed over channels (dim 1), averaged over batch
//            and spatial positions; p = 2 for weights, 2.4 in BRECQ's activation stage.
//   fisher — BRECQ's Fisher-diagonal weighting: (w ⊙ (ŷ − y)²) summed over channels,
//            averaged, with per-element weights w = (|g| + damping)² where g is the gradient
//            of KL(softmax(z_fp) ‖ softmax(z_q)) w.r.t. the group output, z_q the logits of
//            the network quantised up to and including this group (the rest float) and
//            z_fp the float logits. Unlike the official code (whose Fisher path crashes and,
//            with g of a batch-mean KL and damping 1, degenerates to MSE — ptq-methods.md
//            §2.4), g is the per-sample gradient (KL summed, not batch-averaged) and, with
//            normalize, w is divided by its mean over the calibration set so λ keeps its
//            meaning. damping 1 / normalize false / batch_mean true reproduce the official
//            weighting. Needs a unit-range group (the rest of the network must be runnable).
//   mse_kl — CBQ's window loss E(h1, h2) = ‖h1 − h2‖² + D_KL(σ(h1) ‖ σ(h2)) between the float
//            (h1) and quantised (h2) window outputs, σ the softmax over the last (hidden)
//            dimension: the squared error summed over the last dimension and the KL divergence
//            of each position, both averaged over positions; kl_weight scales the KL term
//            (1 as in the paper).
#pragma once

#include "framework/recon/group_context.h"

#include <map>
#include <memory>
#include <string>

namespace ptq {

using LossTerms = std::map<std::string, double>;

struct LossBatch {
  const torch::Tensor& output;   // group output on the policy's input
  const torch::Tensor& target;   // float group output ("fp_out" rows)
  const torch::Tensor& indices;  // calibration rows of the batch
  GroupContext& group;
};

class ReconLoss {
 public:
  virtual ~ReconLoss() = default;
  virtual std::string name() const = 0;
  // Once per group, before optimisation (and before rounding is made learnable).
  virtual void prepare(GroupContext&) {}
  // Returns the loss and records its terms (name → value).
  virtual torch::Tensor compute(const LossBatch& b, LossTerms& terms) = 0;
};

struct FisherOptions {
  double damping = 0.0;     // official code: 1.0
  bool normalize = true;    // official code: false
  bool batch_mean = false;  // KL averaged over the batch like the official code (else per sample)
};

struct LossOptions {
  std::string kind = "lp";  // lp | fisher | mse_kl
  double p = 2.0;           // lp only
  double kl_weight = 1.0;   // mse_kl only
  FisherOptions fisher;
};

// (|a − b|^p).sum(1).mean() (p = 2 computed as a product).
torch::Tensor lp_reconstruction_loss(const torch::Tensor& a, const torch::Tensor& b, double p);
// (w ⊙ (a − b)²).sum(1).mean().
torch::Tensor weighted_mse_loss(const torch::Tensor& a, const torch::Tensor& b, const torch::Tensor& w);

std::shared_ptr<ReconLoss> make_loss(const LossOptions& options);

}  // namespace ptq
