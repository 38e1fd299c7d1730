// Quantised layers: one Conv2d or Linear with everything the papers attach to it.
//
//   forward(x) = output_quantizer( act( bn?( op(input_quantizer(x), weight_quantizer(W)) + b ) ) )
//
// * weight_quantizer — per-channel by default for weights (axis 0 = output channels).
// * input_quantizer / output_quantizer — activation quantisers; which one is used is a
//   policy choice (BRECQ/QDrop quantise outputs after the activation function, MetaAug
//   quantises inputs); see nn/quant_setup.h. All are Off until configured and calibrated.
// * bn — a BatchNorm2d owned (registered) by the enclosing unit under torchvision's name and
//   attached here, so state dicts keep torchvision's names. fold_bn() folds it into W and b
//   (W' = W·γ/σ, b' = β + (b − μ)·γ/σ with σ = sqrt(var + eps), computed in double) and
//   detaches it; models call fold_batchnorm() before quantisation. The folded BN is kept
//   (folded_bn(), not a registered module, so not in state dicts): PD-Quant's distribution
//   correction needs its running statistics.
// * act — the activation after BN (none / ReLU / ReLU6), inside the layer so an output
//   quantiser sits after it, exactly where BRECQ puts it.
// Parameter names are torchvision's: "weight" and "bias" (bias only when present).
// A tap (set_tap) sees every forward's raw input and final output: LibTorch has no forward
// hooks, and layer-wise reconstruction needs a layer's input inside its unit. A
// pre-activation tap sees op + bias (+ BN when not folded), before the activation.
#pragma once

#include "framework/quant/quantizer.h"
#include "kernels/pack/packed_weight.h"

#include <torch/torch.h>

#include <functional>
#include <string>

namespace ptq {

enum class Activation { None, ReLU, ReLU6 };
std::string activation_name(Activation a);
torch::Tensor apply_activation(const torch::Tensor& x, Activation a);

class QuantLayerImpl : public torch::nn::Module {
 public:
  torch::Tensor forward(const torch::Tensor& x);

  // The weight as the forward pass uses it (fake-quantised when the quantiser is on).
  torch::Tensor effective_weight();

  void attach_bn(torch::nn::BatchNorm2d bn);
  bool has_unfolded_bn() const { return !bn_.is_empty(); }
  // Folds the attached BN into weight and bias; returns the folded BN module (empty if none).
  torch::nn::BatchNorm2d fold_bn();
  // The BN folded into this layer by fold_bn() (empty if none): its running statistics, γ, β, ε.
  const torch::nn::BatchNorm2d& folded_bn() const { return folded_bn_; }

  Activation activation() const { return activation_; }
  int64_t out_features() const { return weight.size(0); }

  using Tap = std::function<void(const torch::Tensor& input, const torch::Tensor& output)>;
  void set_tap(Tap tap) { tap_ = std::move(tap); }
  using PreActivationTap = std::function<void(const torch::Tensor& pre_activation)>;
  void set_pre_activation_tap(PreActivationTap tap) { pre_tap_ = std::move(tap); }

  // Packed deployment (framework/deploy/packed_model.h): when set, forward computes with this
  // packed weight through kernels/packed_linear instead of weight_quantizer(weight).
  void set_packed_weight(std::shared_ptr<const kernels::PackedWeight> w) { packed_ = std::move(w); }
  const std::shared_ptr<const kernels::PackedWeight>& packed_weight() const { return packed_; }

  torch::Tensor weight, bias;
  Quantizer input_quantizer{nullptr}, weight_quantizer{nullptr}, output_quantizer{nullptr};

 protected:
  QuantLayerImpl(Activation act);
  void init_params(std::vector<int64_t> weight_shape, int64_t fan_in, bool with_bias);
  virtual torch::Tensor op(const torch::Tensor& x, const torch::Tensor& w) = 0;
  // The op with the packed weight; by default op() on the dequantised weight (dequantise once
  // per call, then the same conv: bit-identical to the fake-quant layer on the CPU).
  virtual torch::Tensor packed_op(const torch::Tensor& x);
  const kernels::PackedWeight& packed() const { return *packed_; }
  std::string quant_summary() const;  // "w=uint4/ch, out=uint4/tensor", or "fp" when all are off

 private:
  Activation activation_;
  torch::nn::BatchNorm2d bn_{nullptr}, folded_bn_{nullptr};
  Tap tap_;
  PreActivationTap pre_tap_;
  std::shared_ptr<const kernels::PackedWeight> packed_;
};

struct QuantConv2dOptions {
  QuantConv2dOptions(int64_t in, int64_t out, int64_t kernel) : in_channels_(in), out_channels_(out), kernel_size_(kernel) {}
  TORCH_ARG(int64_t, in_channels);
  TORCH_ARG(int64_t, out_channels);
  TORCH_ARG(int64_t, kernel_size);
  TORCH_ARG(int64_t, stride) = 1;
  TORCH_ARG(int64_t, padding) = 0;
  TORCH_ARG(int64_t, dilation) = 1;
  TORCH_ARG(int64_t, groups) = 1;
  TORCH_ARG(bool, bias) = false;  // torchvision convs followed by BN have no bias
  TORCH_ARG(Activation, activation) = Activation::None;
};

class QuantConv2dImpl : public QuantLayerImpl {
 public:
  explicit QuantConv2dImpl(const QuantConv2dOptions& options);
  void pretty_print(std::ostream& stream) const override;
  const QuantConv2dOptions& options() const { return options_; }

 protected:
  torch::Tensor op(const torch::Tensor& x, const torch::Tensor& w) override;

 private:
  QuantConv2dOptions options_;
};
TORCH_MODULE(QuantConv2d);

struct QuantLinearOptions {
  QuantLinearOptions(int64_t in, int64_t out) : in_features_(in), out_features_(out) {}
  TORCH_ARG(int64_t, in_features);
  TORCH_ARG(int64_t, out_features);
  TORCH_ARG(bool, bias) = true;
  TORCH_ARG(Activation, activation) = Activation::None;
};

class QuantLinearImpl : public QuantLayerImpl {
 public:
  explicit QuantLinearImpl(const QuantLinearOptions& options);
  void pretty_print(std::ostream& stream) const override;
  const QuantLinearOptions& options() const { return options_; }

 protected:
  torch::Tensor op(const torch::Tensor& x, const torch::Tensor& w) override;
  // The packed GEMV / GEMM kernels (kernels/packed_linear).
  torch::Tensor packed_op(const torch::Tensor& x) override;

 private:
  QuantLinearOptions options_;
};
TORCH_MODULE(QuantLinear);

}  // namespace ptq
