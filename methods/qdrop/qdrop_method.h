// qdrop — QDrop (Wei et al., ICLR 2022), the `qdrop` branch's protocol (ptq-methods.md §3):
// block reconstruction in which AdaRound's V and the LSQ step sizes of the block's
// activation quantisers are optimised together, while activation quantisation is randomly
// dropped element-wise, fresh every iteration:
//   * the block input is the quantised input with probability p and the float input
//     otherwise (input policy `drop`);
//   * every activation quantiser inside the block keeps its quantised value with
//     probability p (act_keep_prob);
// with p = drop_prob = 0.5 (drop_prob: 1 reproduces BRECQ's quantised-input policy exactly).
// Preset: every unit including stem and head, 20,000 iterations, batch 32 with replacement,
// λ = 0.01 (0.1 MobileNetV2, 0.2 MnasNet-type: set adaround.lambda), V lr 1e-3, scale lr
// 4e-5 with cosine annealing; activation ranges calibrated on the float network before
// (calibration.order: fp, 256 images); LSQ gradient scaling is quant.act.lsq_grad_scale.
// `drop_prob` sets both probabilities; input.keep_prob / act_keep_prob override each.
#pragma once

#include "framework/method/method.h"
#include "framework/recon/recon_options.h"

namespace ptq::methods {

class QdropMethod final : public Method {
 public:
  explicit QdropMethod(ReconOptions options) : options_(std::move(options)) {}
  std::string name() const override { return "qdrop"; }
  void apply(MethodContext& ctx) override;
  const ReconOptions& options() const { return options_; }

  static ReconOptions preset(double drop_prob = 0.5);
  static std::unique_ptr<Method> from_config(const config::Section& section);

 private:
  ReconOptions options_;
};

}  // namespace ptq::methods
