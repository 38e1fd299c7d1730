#include "framework/nn/quant_layer.h"

#include "framework/core/check.h"
#include "kernels/packed_linear/packed_linear.h"

#include <cmath>

namespace ptq {

std::string activation_name(Activation a) {
  switch (a) {
    case Activation::None: return "none";
    case Activation::ReLU: return "relu";
    case Activation::ReLU6: return "relu6";
  }
  return "?";
}

torch::Tensor apply_activation(const torch::Tensor& x, Activation a) {
  switch (a) {
    case Activation::None: return x;
    case Activation::ReLU: return torch::relu(x);
    case Activation::ReLU6: return torch::clamp(x, 0.0, 6.0);
  }
  return x;
}

QuantLayerImpl::QuantLayerImpl(Activation act) : activation_(act) {
  input_quantizer = register_module("input_quantizer", Quantizer());
  weight_quantizer = register_module("weight_quantizer", Quantizer());
  output_quantizer = register_module("output_quantizer", Quantizer());
}

void QuantLayerImpl::init_params(std::vector<int64_t> weight_shape, int64_t fan_in, bool with_bias) {
  // Kaiming-uniform as torch.nn's default initialisation, so a fresh model trains sensibly.
  const double bound = 1.0 / std::sqrt(static_cast<double>(std::max<int64_t>(fan_in, 1)));
  weight = register_parameter("weight", torch::empty(weight_shape).uniform_(-bound, bound));
  if (with_bias) bias = register_parameter("bias", torch::empty({weight_shape[0]}).uniform_(-bound, bound));
}

torch::Tensor QuantLayerImpl::effective_weight() { return weight_quantizer(weight); }

torch::Tensor QuantLayerImpl::packed_op(const torch::Tensor& x) {
  return op(x, kernels::dequantize(*packed_, x.scalar_type()).view(weight.sizes()));
}

torch::Tensor QuantLayerImpl::forward(const torch::Tensor& x) {
  auto y = packed_ ? packed_op(input_quantizer(x)) : op(input_quantizer(x), effective_weight());
  if (!bn_.is_empty()) y = bn_(y);
  if (pre_tap_) pre_tap_(y);
  // A ReLU folds into the output quantiser's fused pass (two full-size passes fewer each way).
  y = activation_ == Activation::ReLU ? output_quantizer->forward_relu(y)
                                      : output_quantizer(apply_activation(y, activation_));
  if (tap_) tap_(x, y);
  return y;
}

void QuantLayerImpl::attach_bn(torch::nn::BatchNorm2d bn) {
  PTQ_INTERNAL_ASSERT(bn->options.num_features() == weight.size(0), "BN with {} features attached to a layer with {} outputs",
                      bn->options.num_features(), weight.size(0));
  bn_ = std::move(bn);
}

torch::nn::BatchNorm2d QuantLayerImpl::fold_bn() {
  if (bn_.is_empty()) return bn_;
  torch::NoGradGuard no_grad;
  auto bn = bn_;
  auto gamma = bn->weight.defined() ? bn->weight.to(torch::kDouble) : torch::ones({weight.size(0)}, torch::kDouble);
  auto beta = bn->bias.defined() ? bn->bias.to(torch::kDouble) : torch::zeros({weight.size(0)}, torch::kDouble);
  auto inv_std = torch::rsqrt(bn->running_var.to(torch::kDouble) + bn->options.eps());
  auto factor = gamma * inv_std;
  std::vector<int64_t> bshape(weight.dim(), 1);
  bshape[0] = -1;
  auto new_w = (weight.to(torch::kDouble) * factor.view(bshape)).to(weight.scalar_type());
  auto old_b = bias.defined() ? bias.to(torch::kDouble) : torch::zeros({weight.size(0)}, torch::kDouble);
  auto new_b = (beta + (old_b - bn->running_mean.to(torch::kDouble)) * factor).to(weight.scalar_type());
  weight.set_data(new_w);
  if (bias.defined()) {
    bias.set_data(new_b);
  } else {
    bias = register_parameter("bias", new_b);
  }
  bn_ = torch::nn::BatchNorm2d{nullptr};
  folded_bn_ = bn;
  return bn;
}

std::string QuantLayerImpl::quant_summary() const {
  std::vector<std::string> parts;
  if (weight_quantizer->describe() != "off") parts.push_back("w=" + weight_quantizer->describe());
  if (input_quantizer->describe() != "off") parts.push_back("in=" + input_quantizer->describe());
  if (output_quantizer->describe() != "off") parts.push_back("out=" + output_quantizer->describe());
  return parts.empty() ? "fp" : fmt::format("{}", fmt::join(parts, ", "));
}

QuantConv2dImpl::QuantConv2dImpl(const QuantConv2dOptions& o) : QuantLayerImpl(o.activation()), options_(o) {
  PTQ_CHECK(o.in_channels() % o.groups() == 0 && o.out_channels() % o.groups() == 0,
            "QuantConv2d: channels {}->{} are not divisible by groups {}", o.in_channels(), o.out_channels(), o.groups());
  const int64_t k = o.kernel_size();
  init_params({o.out_channels(), o.in_channels() / o.groups(), k, k}, o.in_channels() / o.groups() * k * k, o.bias());
}

torch::Tensor QuantConv2dImpl::op(const torch::Tensor& x, const torch::Tensor& w) {
  const auto& o = options_;
  return torch::conv2d(x, w, bias, {o.stride(), o.stride()}, {o.padding(), o.padding()}, {o.dilation(), o.dilation()},
                       o.groups());
}

void QuantConv2dImpl::pretty_print(std::ostream& stream) const {
  const auto& o = options_;
  stream << "QuantConv2d(" << o.in_channels() << "->" << o.out_channels() << ", k=" << o.kernel_size();
  if (o.stride() != 1) stream << ", s=" << o.stride();
  if (o.groups() != 1) stream << ", g=" << o.groups();
  if (activation() != Activation::None) stream << ", " << activation_name(activation());
  stream << ", " << quant_summary() << ")";
}

QuantLinearImpl::QuantLinearImpl(const QuantLinearOptions& o) : QuantLayerImpl(o.activation()), options_(o) {
  init_params({o.out_features(), o.in_features()}, o.in_features(), o.bias());
}

torch::Tensor QuantLinearImpl::op(const torch::Tensor& x, const torch::Tensor& w) { return torch::linear(x, w, bias); }

torch::Tensor QuantLinearImpl::packed_op(const torch::Tensor& x) { return kernels::packed_linear(x, packed(), bias); }

void QuantLinearImpl::pretty_print(std::ostream& stream) const {
  stream << "QuantLinear(" << options_.in_features() << "->" << options_.out_features();
  if (activation() != Activation::None) stream << ", " << activation_name(activation());
  stream << ", " << quant_summary() << ")";
}

}  // namespace ptq
