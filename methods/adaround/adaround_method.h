// adaround — AdaRound (Nagel et al., ICML 2020): layer-by-layer reconstruction of each
// conv / linear's float output by learning, per weight, whether to round down or up
// (rectified-sigmoid h(V), regulariser with β annealed 20 → 2, ptq-methods.md §1).
// Protocol preset (MQBench's AdaRound row; the AdaRound formulas of BRECQ's code):
// layer granularity, 10,000 iterations, batch 32 drawn without replacement, λ = 0.01, Adam
// lr 1e-3 on V, weights reconstructed on the quantised network's inputs with activation
// quantisation on (ranges calibrated before, calibration.*). Every option of
// framework/recon/recon_config.h may be overridden under `method:`.
#pragma once

#include "framework/method/method.h"
#include "framework/recon/recon_options.h"

namespace ptq::methods {

class AdaRoundMethod final : public Method {
 public:
  explicit AdaRoundMethod(ReconOptions options) : options_(std::move(options)) {}
  std::string name() const override { return "adaround"; }
  void apply(MethodContext& ctx) override;
  const ReconOptions& options() const { return options_; }

  static ReconOptions preset();
  static std::unique_ptr<Method> from_config(const config::Section& section);

 private:
  ReconOptions options_;
};

}  // namespace ptq::methods
