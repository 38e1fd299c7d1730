// Reconstructor: one reconstruction pass over a model, group by group (granularity.h), each
// group optimised on the calibration set by the loop
//
//   for t in 1..iters:  rows ← sample(batch)               (with / without replacement)
//                       x ← input_policy(rows)              (fp | quant | QDrop drop mix)
//                       ŷ ← quantised group(x)              (AdaRound soft rounding, activation
//                                                             quantisers with QDrop dropping)
//                       L ← Σ losses(ŷ, y_fp[rows]) + λ·f_reg(β(t))   (regulariser after warm-up)
//                       Adam steps: V (lr), activation scales (act_lr, cosine), weight scales
//
// then the rounding is made hard (a HardRounding policy in each weight quantiser; the float
// weights are kept, so "every quantiser off" is still the float network for later targets and
// passes), the quantised weights are checked to lie on their grid (`verify`), QDrop dropping
// is switched off, and the group's quantised output becomes the next group's quantised input.
//
// Activations flow group to group through an ActivationCache: only the float and the
// quantised tensors at the current group boundary (plus the group's target) are alive, so
// every unit is run once per pass for each, not once per later group as in the reference
// code. Every group draws its random numbers from LibTorch's generator re-seeded with
// seed + group index, so a pass is bit-reproducible on CPU.
//
// Preconditions: every configured weight quantiser is calibrated (calibrate_weights); with
// quantize_activations and act_init = none every configured activation quantiser is
// calibrated too. The pass leaves weight and (when quantize_activations) activation
// quantisers in the Quantize state.
#pragma once

#include "framework/recon/input_policy.h"
#include "framework/recon/loss.h"
#include "framework/recon/recon_options.h"

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <vector>

namespace ptq {

struct GroupReport {
  std::string pass, name;
  bool skipped = false, early_stopped = false;
  int64_t iters = 0;
  double first_loss = 0.0, final_loss = 0.0;  // reconstruction terms (no regulariser), first / last window mean
  double seconds = 0.0, cache_seconds = 0.0;
  double loop_seconds = 0.0;  // the optimisation loop alone (no preparation, hardening or checks)
  // AdaRound: fraction of h(V) still strictly between 0.01 and 0.99 when rounding is made hard
  // (large values mean too few iterations or too small a learning rate for V to decide).
  double undecided = 0.0;
  // MSE of the group output against its float target on the first 256 calibration rows (the
  // quantised input when the pass has one), before optimisation and after hard rounding.
  double loss_before = 0.0, loss_after = 0.0;
  // The loop after its first iteration (which also pays one-time costs: optimiser state,
  // first-touch allocations, thread start-up); 0 when the group ran fewer than 2 iterations.
  double steady_seconds = 0.0;
  double seconds_per_iter() const { return iters > 0 ? loop_seconds / static_cast<double>(iters) : 0.0; }
  double steady_seconds_per_iter() const {
    return iters > 1 ? steady_seconds / static_cast<double>(iters - 1) : seconds_per_iter();
  }
};

struct ReconReport {
  std::string pass;
  std::vector<GroupReport> groups;
  double seconds = 0.0, cache_seconds = 0.0;
  int64_t cache_peak_bytes = 0, spilled_entries = 0;
  nlohmann::json to_json() const;
};

class Reconstructor {
 public:
  Reconstructor(QuantModelImpl& model, ReconOptions options);

  // Pieces default to those the options describe; methods replace or extend them.
  void set_input_policy(std::shared_ptr<InputPolicy> policy) { input_ = std::move(policy); }
  void set_losses(std::vector<std::shared_ptr<ReconLoss>> losses) { losses_ = std::move(losses); }
  void add_loss(std::shared_ptr<ReconLoss> loss) { losses_.push_back(std::move(loss)); }
  // JSON lines (one per log_every iterations and one per group) appended to `path`; "" = none.
  void set_log_file(std::string path) { log_path_ = std::move(path); }

  const ReconOptions& options() const { return o_; }
  ReconReport run(const torch::Tensor& images, uint64_t seed);

 private:
  struct Pass;
  QuantModelImpl& model_;
  ReconOptions o_;
  std::shared_ptr<InputPolicy> input_;
  std::vector<std::shared_ptr<ReconLoss>> losses_;
  std::string log_path_;
};

}  // namespace ptq
