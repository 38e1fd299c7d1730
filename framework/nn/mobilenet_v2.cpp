#include "framework/nn/mobilenet_v2.h"

#include "framework/core/check.h"
#include "framework/nn/make_divisible.h"

namespace ptq {
namespace {

struct StageSetting {
  int64_t expand_ratio, channels, blocks, stride;
};
// torchvision's inverted_residual_setting (t, c, n, s).
const StageSetting kSettings[] = {{1, 16, 1, 1}, {6, 24, 2, 2},  {6, 32, 3, 2}, {6, 64, 4, 2},
                                  {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
constexpr int64_t kStemWidth = 32, kLastWidth = 1280, kRound = 8;

// A torchvision Conv2dNormActivation registered as child `index` of `parent`: a container
// whose children "0" and "1" are the conv and its BN.
QuantConv2d conv_bn_act(torch::nn::Module& parent, const std::string& index, const QuantConv2dOptions& options) {
  auto seq = parent.register_module(index, std::make_shared<torch::nn::Module>());
  return make_conv_bn(*seq, "0", "1", options).conv;
}

}  // namespace

InvertedResidualImpl::InvertedResidualImpl(const std::string& name, int64_t in, int64_t out, int64_t stride,
                                           int64_t expand_ratio)
    : UnitImpl(name, UnitRole::Block), residual_(stride == 1 && in == out) {
  PTQ_INTERNAL_ASSERT(expand_ratio >= 1 && (stride == 1 || stride == 2), "InvertedResidual t={} s={}", expand_ratio,
                      stride);
  const int64_t hidden = in * expand_ratio;
  auto conv = register_module("conv", std::make_shared<torch::nn::Module>());
  int64_t next = 0;  // index of the next child of "conv"
  if (expand_ratio != 1) {
    expand_ = conv_bn_act(*conv, "0", QuantConv2dOptions(in, hidden, 1).activation(Activation::ReLU6));
    record_layer(path("conv.0.0"), expand_, false, true);
    next = 1;
  }
  const std::string dw = std::to_string(next);
  depthwise_ = conv_bn_act(*conv, dw,
                           QuantConv2dOptions(hidden, hidden, 3).stride(stride).padding(1).groups(hidden).activation(
                               Activation::ReLU6));
  record_layer(path("conv." + dw + ".0"), depthwise_, false, expand_ratio == 1);
  const std::string proj = std::to_string(next + 1), proj_bn = std::to_string(next + 2);
  project_ = make_conv_bn(*conv, proj, proj_bn, QuantConv2dOptions(hidden, out, 1)).conv;
  // BRECQ quantises the block output, never the project conv's, with or without residual.
  record_layer(path("conv." + proj), project_, true, false);
}

torch::Tensor InvertedResidualImpl::forward(const torch::Tensor& x) {
  auto in = enter(x);
  auto y = expand_.is_empty() ? in : expand_(in);
  y = project_(depthwise_(y));
  if (residual_) y = y + in;
  return leave(y);
}

MobileNetV2Impl::MobileNetV2Impl(const MobileNetV2Options& o)
    : QuantModelImpl("mobilenet_v2", o.num_classes, {o.in_channels, o.image_size, o.image_size}) {
  PTQ_CHECK(o.width_mult > 0, "mobilenet_v2: width_mult must be positive, got {}", o.width_mult);
  auto features = register_module("features", std::make_shared<torch::nn::Module>());
  int64_t in = make_divisible(kStemWidth * o.width_mult, kRound);
  const int64_t last = make_divisible(kLastWidth * std::max(1.0, o.width_mult), kRound);

  auto stem_conv = QuantConv2dOptions(o.in_channels, in, 3).stride(o.small_input ? 1 : 2).padding(1);
  auto stem = std::make_shared<ConvBnActUnitImpl>("features.0", UnitRole::Stem, nullptr, "features.0.", "0", "1",
                                                  stem_conv.activation(Activation::ReLU6), false);
  features->register_module("0", stem);
  add_unit(stem);

  int64_t index = 1;
  for (const auto& s : kSettings) {
    const int64_t out = make_divisible(s.channels * o.width_mult, kRound);
    for (int64_t b = 0; b < s.blocks; ++b, ++index) {
      const std::string child = std::to_string(index);
      auto block = std::make_shared<InvertedResidualImpl>("features." + child, in, out, b == 0 ? s.stride : 1,
                                                          s.expand_ratio);
      features->register_module(child, block);
      add_unit(block);
      in = out;
    }
  }

  const std::string child = std::to_string(index);
  auto last_conv = std::make_shared<ConvBnActUnitImpl>(
      "features." + child, UnitRole::Block, nullptr, "features." + child + ".", "0", "1",
      QuantConv2dOptions(in, last, 1).activation(Activation::ReLU6), false, /*quantize_at_exit=*/true);
  features->register_module(child, last_conv);
  add_unit(last_conv);

  auto classifier = register_module("classifier", std::make_shared<torch::nn::Module>());
  auto fc = classifier->register_module("1", QuantLinear(QuantLinearOptions(last, o.num_classes)));
  add_unit(std::make_shared<PoolLinearHeadImpl>("head", fc, "classifier.1"));
}

}  // namespace ptq
