// Quantizer: a module that fake-quantises a tensor according to a QuantSpec, with a life
// cycle of three states:
//   Off        — identity (FP); the default, so a freshly built model is a float model
//   Calibrate  — identity, but every input is fed to the observer
//   Quantize   — fake-quant with the calibrated (or, for dynamic specs, on-the-fly) params
// Scale is a registered parameter "scale" [R, nG] (learnable when learnable_scale: LSQ,
// optionally with LSQ's gradient scale 1/sqrt(numel·Qp)); zero point a buffer
// "zero_point" (never learned, as in BRECQ/QDrop). Weight quantisers calibrate once from
// the weight (calibrate()); activation quantisers observe batches, then finish_calibration().
#pragma once

#include "framework/quant/observer.h"
#include "framework/quant/qparams.h"
#include "framework/quant/quant_spec.h"

#include <torch/torch.h>

#include <memory>

namespace ptq {

struct QuantizerOptions {
  QuantSpec spec;
  ObserverOptions observer;
  bool learnable_scale = false;  // LSQ: scale is trained by reconstruction
  bool lsq_grad_scale = false;   // scale the scale's gradient by 1/sqrt(numel·Qp) (QDrop branch)
};

enum class QuantizerState { Off, Calibrate, Quantize };

class QuantizerImpl : public torch::nn::Module {
 public:
  QuantizerImpl();
  explicit QuantizerImpl(QuantizerOptions options);

  torch::Tensor forward(const torch::Tensor& x);

  // Replaces the options; forgets calibration and turns the quantiser Off.
  void configure(QuantizerOptions options);
  // Back to the unconfigured, Off state of a fresh quantiser.
  void reset();
  const QuantizerOptions& options() const { return options_; }
  // Whether configure() gave this quantiser a spec (an unconfigured one can only be Off).
  bool configured() const { return configured_; }

  void set_state(QuantizerState state);
  QuantizerState state() const { return state_; }
  bool calibrated() const { return calibrated_; }

  // Observes x and computes parameters at once, then switches to Quantize (weights).
  void calibrate(const torch::Tensor& x);
  // Computes parameters from everything observed so far, then switches to Quantize.
  void finish_calibration();
  void set_qparams(const QParams& q);

  const torch::Tensor& scale() const { return scale_; }
  const torch::Tensor& zero_point() const { return zero_point_; }

  void pretty_print(std::ostream& stream) const override;
  // "uint4/tensor" or "off"; used by layers' pretty_print.
  std::string describe() const;

 private:
  QParams dynamic_qparams(const torch::Tensor& xg) const;

  QuantizerOptions options_;
  bool configured_ = false;
  bool calibrated_ = false;
  QuantizerState state_ = QuantizerState::Off;
  std::unique_ptr<Observer> observer_;
  torch::Tensor scale_, zero_point_;
};

TORCH_MODULE(Quantizer);

}  // namespace ptq
