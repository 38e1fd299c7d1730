// MetaAug's data for each group's reconstruction (ptq-methods.md §5.2, steps 1–2), as an
// input policy of the engine. prepare() runs the group's meta stage (meta_stage.h), then
// extends the cache entries from the N calibration images to 2N rows — the originals, then
// T(x) for every calibration image: the float-prefix input, the quantised-prefix input and
// the float target of the group on T(x) — so the loop samples from both. batch() is QDrop's
// element-wise mix of the quantised and the float input (probability keep_prob) on those
// rows. finish() restores the entries to the N calibration rows, so the engine advances the
// original images only.
#pragma once

#include "framework/recon/input_policy.h"
#include "framework/recon/recon_options.h"
#include "methods/meta_aug/meta_stage.h"

#include <nlohmann/json.hpp>

#include <memory>

namespace ptq::methods {

// State shared by the method and its input policy over one reconstruction pass.
struct MetaAugState {
  torch::Tensor images;                  // calibration images [N, C, H, W]
  torch::Tensor fp_logits;               // the float network's logits on them
  std::unique_ptr<MetaTrainer> trainer;  // T, its optimiser and schedule
  MetaOptions meta;
  ReconOptions recon;                    // learning rates and λ of the inner step
  bool augment = true;                   // reconstruct on original + T(x) (false: originals only)
  nlohmann::json reports = nlohmann::json::array();  // one per group: meta stage, augmentation
};

class MetaAugInputPolicy final : public InputPolicy {
 public:
  MetaAugInputPolicy(std::shared_ptr<MetaAugState> state, double keep_prob);
  std::string name() const override { return "meta_aug"; }
  bool needs_fp_input() const override { return true; }
  bool needs_quant_input() const override { return true; }
  void prepare(GroupContext& g) override;
  torch::Tensor batch(GroupContext& g, const torch::Tensor& indices) override;
  void finish(GroupContext& g) override;

 private:
  void augment(GroupContext& g);
  std::shared_ptr<MetaAugState> state_;
  std::shared_ptr<InputPolicy> mix_;  // QDrop's drop policy
  int64_t calibration_rows_ = 0;
  bool augmented_ = false;
};

}  // namespace ptq::methods
