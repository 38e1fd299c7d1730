// PD-Quant's block input (ptq-methods.md §4.1 (c)): the batch is cat([mix, quant]) of 2 × B
// rows, where mix is QDrop's element-wise mix of the quantised and the float input (each
// element quantised with probability keep_prob, 0.5) and quant is the quantised input
// itself. PredictionDifferenceLoss reads the two halves. With distribution correction on
// (distribution_correction.h), prepare() replaces the float input ("fp_in", which the mix
// uses) and the float target ("fp_out") by the corrected ones; the quantised input is never
// corrected.
#pragma once

#include "framework/recon/input_policy.h"
#include "methods/pd_quant/distribution_correction.h"

namespace ptq::methods {

class PdInputPolicy final : public InputPolicy {
 public:
  PdInputPolicy(double keep_prob, DcOptions dc);
  std::string name() const override { return "pd_mix"; }
  bool needs_fp_input() const override { return true; }
  bool needs_quant_input() const override { return true; }
  void prepare(GroupContext& g) override;
  torch::Tensor batch(GroupContext& g, const torch::Tensor& indices) override;

 private:
  std::shared_ptr<InputPolicy> mix_;  // QDrop's drop policy
  DcOptions dc_;
};

}  // namespace ptq::methods
