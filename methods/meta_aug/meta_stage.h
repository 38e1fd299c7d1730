// MetaAug's meta stage for one reconstruction group (ptq-methods.md §5.2, step 1): the
// transformation network T is trained bi-level before the group is reconstructed.
//
//   inner: x' = T(x) for a batch of calibration images; the group's quantised output on the
//          quantised-prefix input of x' against its float output on the float-prefix input
//          of x' gives L_in = ((ŷ − y)²).sum(1).mean() + λ·f_reg(β); one differentiable
//          optimiser step on the group's learned parameters θ (V, weight scales, activation
//          scales, each with its reconstruction learning rate) gives θ̄(T).
//   outer: on original calibration images x_v, with θ̄ in place of θ (the network quantised up
//          to and including the group, float after it):
//          L_val = α·KL(f_fp(x_v)/T_kl ‖ f_q(x_v; θ̄)/T_kl) + β·ReLU(τ − mean((T(x) − x)²))
//                + γ·PKT(φ_fp(mix(T(x))), φ_fp(mix(x)))
//          and its gradient updates T only (Adam, gradient norm clipped, plateau schedule).
// The inner update is discarded (θ is the same at every outer step), as the official code's
// `higher` loop copies the student. Its differentiable Adam starts from a fresh state every
// time, so its step is the first Adam step, θ̄ = θ − lr·g/(|g| + ε) (inner_optimizer: adam);
// `sgd` (θ̄ = θ − lr·g) is an option.
#pragma once

#include "framework/recon/granularity.h"
#include "framework/recon/learned_params.h"
#include "framework/recon/plateau_lr.h"
#include "framework/recon/recon_options.h"
#include "methods/meta_aug/transform_net.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace ptq::methods {

struct MetaOptions {
  bool enabled = true;           // false: T stays as warmed up (the augmentation alone)
  int64_t iters = 500;           // outer steps per group (run.sh --iterations_meta 500) ...
  bool whole_epochs = true;      // ... rounded up to whole passes of `batch` over the calibration set (512)
  int64_t batch = 32;            // inner (transformed) batch
  int64_t val_batch = 64;        // outer batch of original images
  std::string inner_optimizer = "adam";  // adam (fresh state: the first Adam step) | sgd
  double inner_eps = 1e-8;       // Adam's ε in the inner step
  double alpha = 5.0;            // KL weight
  double beta = 0.5;             // margin weight
  double gamma = 30000.0;        // PKT weight
  double tau = 0.1;              // margin threshold (--thereshold)
  double temperature = 4.0;      // KL temperature
  double mixup_alpha = 4.0;      // Beta(α, α) of the PKT mixups
  double lr = 5e-6;              // Adam on T (lr_T_alpha)
  double clip_norm = 0.1;        // total gradient norm of T
  int64_t patience = 100;        // ReduceLROnPlateau on L_val
  double factor = 0.95;
  std::vector<std::string> skip = {"stem", "head"};  // groups without a meta stage (the code: conv1, fc)
  bool progress = true;
  void validate() const;
};

// Everything one outer objective evaluation reads.
struct MetaProblem {
  QuantModelImpl& model;
  const ReconGroup& group;
  const ReconOptions& recon;      // learning rates and λ of the inner step
  GroupLearnedParams& params;     // θ
  TransformNet& net;
  const MetaOptions& options;
};

struct MetaTerms {
  torch::Tensor total;            // L_val, differentiable w.r.t. T's parameters
  double inner = 0.0, kl = 0.0, margin = 0.0, pkt = 0.0;
  std::vector<torch::Tensor> theta_bar;  // θ̄ (V, weight scales, activation scales), functions of T
};

// L_val for inner batch x and outer batch x_v (logits_val: the float network's logits on
// x_v) at outer step t of `steps` (t from 1; sets β of the inner regulariser). Draws the two
// mixups from LibTorch's generator.
MetaTerms meta_objective(MetaProblem& p, const torch::Tensor& x, const torch::Tensor& x_val,
                         const torch::Tensor& logits_val, int64_t t, int64_t steps);

// The T optimiser and its schedule, kept across groups (T is trained through the whole pass).
struct MetaTrainer {
  TransformNet net;
  std::unique_ptr<torch::optim::Adam> adam;
  std::unique_ptr<PlateauLr> plateau;
  MetaTrainer(TransformNet net, const MetaOptions& o);
};

// The meta stage of group g over calibration images (and their float logits); returns its
// report (steps, first/last window means of each term, seconds).
nlohmann::json run_meta_stage(QuantModelImpl& model, const ReconGroup& g, const ReconOptions& recon,
                              MetaTrainer& trainer, const torch::Tensor& images, const torch::Tensor& fp_logits,
                              const MetaOptions& o);

}  // namespace ptq::methods
