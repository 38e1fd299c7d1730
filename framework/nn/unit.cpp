#include "framework/nn/unit.h"

namespace ptq {

std::string unit_role_name(UnitRole r) {
  switch (r) {
    case UnitRole::Stem: return "stem";
    case UnitRole::Block: return "block";
    case UnitRole::Head: return "head";
  }
  return "?";
}

UnitImpl::UnitImpl(std::string name, UnitRole role) : name_(std::move(name)), role_(role) {
  input_quantizer = register_module("input_quantizer", Quantizer());
  output_quantizer = register_module("output_quantizer", Quantizer());
}

std::vector<Quantizer> UnitImpl::quantizers() const {
  std::vector<Quantizer> out{input_quantizer, output_quantizer};
  for (const auto& e : layers_) {
    out.push_back(e.layer->input_quantizer);
    out.push_back(e.layer->weight_quantizer);
    out.push_back(e.layer->output_quantizer);
  }
  return out;
}

ConvBn make_conv_bn(torch::nn::Module& owner, const std::string& conv_name, const std::string& bn_name,
                    const QuantConv2dOptions& options) {
  auto conv = owner.register_module(conv_name, QuantConv2d(options));
  auto bn = owner.register_module(bn_name, torch::nn::BatchNorm2d(options.out_channels()));
  conv->attach_bn(bn);
  return {conv, bn};
}

ConvBnActUnitImpl::ConvBnActUnitImpl(std::string name, UnitRole role, torch::nn::Module* owner,
                                     const std::string& prefix, const std::string& conv_name,
                                     const std::string& bn_name, const QuantConv2dOptions& conv_options, bool max_pool,
                                     bool quantize_at_exit)
    : UnitImpl(std::move(name), role), max_pool_(max_pool) {
  auto pair = make_conv_bn(owner ? *owner : *this, conv_name, bn_name, conv_options);
  conv = pair.conv;
  bn = pair.bn;
  record_layer(prefix + conv_name, conv, quantize_at_exit, true);
}

torch::Tensor ConvBnActUnitImpl::forward(const torch::Tensor& x) {
  auto y = leave(conv(enter(x)));
  if (max_pool_) y = torch::max_pool2d(y, {3, 3}, {2, 2}, {1, 1});
  return y;
}

PoolLinearHeadImpl::PoolLinearHeadImpl(std::string name, QuantLinear fc_layer, const std::string& fc_name)
    : UnitImpl(std::move(name), UnitRole::Head) {
  fc = fc_layer;
  record_layer(fc_name, fc);
}

torch::Tensor PoolLinearHeadImpl::forward(const torch::Tensor& x) {
  auto pooled = x.dim() == 4 ? x.mean({2, 3}) : x;
  return fc(pooled);
}

}  // namespace ptq
