// Input policies: what the group being reconstructed is fed during optimisation.
//   fp    — the float network's input ("fp_in"; BRECQ's activation stage, asym = False)
//   quant — the quantised network's input ("q_in"; BRECQ's weight stage, AdaRound)
//   drop  — QDrop: element-wise random mix, each element taken from the quantised input with
//           probability keep_prob and from the float input otherwise, fresh every iteration;
//           keep_prob = 1 is exactly `quant` (no random numbers are drawn).
// A policy is an interface so later methods (MetaAug's transformed images) add one class.
#pragma once

#include "framework/recon/group_context.h"

#include <memory>
#include <string>

namespace ptq {

class InputPolicy {
 public:
  virtual ~InputPolicy() = default;
  virtual std::string name() const = 0;
  virtual bool needs_fp_input() const = 0;
  virtual bool needs_quant_input() const = 0;
  // Before the loop (default: nothing).
  virtual void prepare(GroupContext&) {}
  // The input batch for calibration rows `indices`.
  virtual torch::Tensor batch(GroupContext& g, const torch::Tensor& indices) = 0;
  // After the loop (default: nothing). A policy that added rows to the cache entries in
  // prepare() (and raised g.rows) restores them to the calibration set's rows here.
  virtual void finish(GroupContext&) {}
};

struct InputPolicyOptions {
  std::string kind = "quant";  // fp | quant | drop
  double keep_prob = 0.5;      // drop: probability of the quantised value (QDrop 0.5)
};

std::shared_ptr<InputPolicy> make_input_policy(const InputPolicyOptions& options);

}  // namespace ptq
