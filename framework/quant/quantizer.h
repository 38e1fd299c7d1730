// Quantizer: a module that fake-quantises a tensor according to a QuantSpec, with a life
// cycle of three states:
//   Off        — identity (FP); the default, so a freshly built model is a float model
//   Calibrate  — identity, but every input is fed to the observer
//   Quantize   — fake-quant with the calibrated (or, for dynamic specs, on-the-fly) params
// Scale is a registered parameter "scale" [R, nG] (learnable when learnable_scale: LSQ,
// optionally with LSQ's gradient scale 1/sqrt(numel·Qp)); zero point a buffer
// "zero_point" (never learned, as in BRECQ/QDrop). Weight quantisers calibrate once from
// the weight (calibrate()); activation quantisers observe batches, then finish_calibration().
// Two hooks serve reconstruction: a RoundingPolicy replaces round-to-nearest (AdaRound),
// and keep_prob < 1 makes the output an element-wise random mix of the quantised and the
// float value, each element quantised with probability keep_prob (QDrop's dropping; a fresh
// seed from LibTorch's global generator at every call, none drawn at keep_prob = 1).
// The LSQ gradient scale applies whenever the scale requires grad. Integer quantisers
// without a rounding policy run as one fused autograd node on CPU (fused_fake_quant.h).
#pragma once

#include "framework/quant/observer.h"
#include "framework/quant/qparams.h"
#include "framework/quant/quant_spec.h"
#include "framework/quant/rounding_policy.h"

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
  // forward(relu(x)), with the ReLU folded into the fused fake-quant pass where that path
  // applies (quantising, integer, no rounding policy, CPU float); same values and gradients.
  torch::Tensor forward_relu(const torch::Tensor& x);

  // Replaces the options; forgets calibration and turns the quantiser Off.
  void configure(QuantizerOptions options);
  // Back to the unconfigured, Off state of a fresh quantiser.
  void reset();
  const QuantizerOptions& options() const { return options_; }
  // The quantiser's name in its model (e.g. "units.2.layers.0.input_quantizer"), given by
  // apply_quant_setup; error messages about non-finite inputs or scales name it.
  void set_label(std::string label) { label_ = std::move(label); }
  const std::string& label() const { return label_; }
  // Whether configure() gave this quantiser a spec (an unconfigured one can only be Off).
  bool configured() const { return configured_; }

  void set_state(QuantizerState state);
  QuantizerState state() const { return state_; }
  bool calibrated() const { return calibrated_; }

  // Observes x and computes parameters at once, then switches to Quantize (weights).
  void calibrate(const torch::Tensor& x);
  // Computes parameters from everything observed so far, then switches to Quantize.
  void finish_calibration();
  // Streaming calibration (observer.h): the observer keeps a summary instead of the data and
  // may ask for the calibration data once more: while wants_another_pass(), call
  // next_calibration_pass() and feed the same data again, then finish_calibration().
  void set_streaming_calibration(bool streaming);
  bool wants_another_pass() const;
  void next_calibration_pass();
  void set_qparams(const QParams& q);

  // Reconstruction hooks (see the header comment); null / 1.0 restore plain behaviour.
  void set_rounding(std::shared_ptr<RoundingPolicy> rounding) { rounding_ = std::move(rounding); }
  const std::shared_ptr<RoundingPolicy>& rounding() const { return rounding_; }
  void set_keep_prob(double keep_prob);
  double keep_prob() const { return keep_prob_; }

  const torch::Tensor& scale() const { return scale_; }
  // A tensor used in place of the scale parameter by forward while set (undefined = none): a
  // differentiable function of the parameter, e.g. MetaAug's one-step-updated scale θ̄ whose
  // graph leads back to its transformation network. The parameter itself is not changed.
  void set_scale_override(torch::Tensor scale) { scale_override_ = std::move(scale); }
  const torch::Tensor& zero_point() const { return zero_point_; }

  void pretty_print(std::ostream& stream) const override;
  // "uint4/tensor" or "off"; used by layers' pretty_print.
  std::string describe() const;

 private:
  QParams dynamic_qparams(const torch::Tensor& xg) const;

  QuantizerOptions options_;
  std::string label_ = "quantizer";
  bool configured_ = false;
  bool calibrated_ = false;
  QuantizerState state_ = QuantizerState::Off;
  std::unique_ptr<Observer> observer_;
  torch::Tensor scale_, zero_point_, scale_override_;
  std::shared_ptr<RoundingPolicy> rounding_;
  double keep_prob_ = 1.0;
  torch::Tensor forward_impl(const torch::Tensor& x, bool relu);
  bool fused_path(const torch::Tensor& x) const;
  void check_observed_finite(const torch::Tensor& x, const char* what) const;
};

TORCH_MODULE(Quantizer);

}  // namespace ptq
