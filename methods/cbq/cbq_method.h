// cbq — CBQ: Cross-Block Quantization for LLMs (Ding et al., ICLR 2025; ptq-methods.md §6).
// No official code exists; methods/cbq/README.md separates what the paper states, what ptq
// inferred and what is an option. The pipeline:
//   1. CFP (cfp.h): weight outliers truncated; activation outlier channels scaled, the
//      inverse folded into the weights (cfp.weights / cfp.activations switch each off);
//   2. quantiser calibration (weights; static activation quantisers if any);
//   3. cross-block reconstruction (granularity: window) over sliding windows of `window` decoder layers sharing
//      `overlap` layers (default 2 / 1), the window loss MSE + KL(softmax) between the float
//      and quantised window outputs (loss.kl_weight 0 = MSE only), learning jointly the
//      weight step sizes (learn_weight_scale), static activation step sizes
//      (learn_act_scale) and LoRA-Rounding of rank `adaround.rank` (0 = AdaRound's full V;
//      rounding: nearest switches learned rounding off) with AdaRound's regulariser.
// Every reconstruction option of the engine can be set under method.* as for brecq/qdrop.
#pragma once

#include "framework/method/method.h"
#include "framework/recon/recon_options.h"
#include "methods/cbq/cfp.h"

namespace ptq::methods {

class CbqMethod final : public Method {
 public:
  CbqMethod(ReconOptions options, CfpOptions cfp) : options_(std::move(options)), cfp_(cfp) {}
  std::string name() const override { return "cbq"; }
  void apply(MethodContext& ctx) override;
  const ReconOptions& options() const { return options_; }
  const CfpOptions& cfp() const { return cfp_; }

  static ReconOptions preset();
  static std::unique_ptr<Method> from_config(const config::Section& section);

 private:
  ReconOptions options_;
  CfpOptions cfp_;
};

}  // namespace ptq::methods
