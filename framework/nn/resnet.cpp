#include "framework/nn/resnet.h"

#include "framework/core/check.h"

namespace ptq {
namespace {

// torchvision's "downsample" = Sequential(conv1x1, BN): registered as children "0" and "1".
QuantConv2d make_downsample(UnitImpl& unit, int64_t in, int64_t out, int64_t stride) {
  auto ds = unit.register_module("downsample", std::make_shared<torch::nn::Module>());
  return make_conv_bn(*ds, "0", "1", QuantConv2dOptions(in, out, 1).stride(stride)).conv;
}

}  // namespace

BasicBlockImpl::BasicBlockImpl(const std::string& name, int64_t in, int64_t out, int64_t stride)
    : UnitImpl(name, UnitRole::Block) {
  conv1_ = make_conv_bn(*this, "conv1", "bn1",
                        QuantConv2dOptions(in, out, 3).stride(stride).padding(1).activation(Activation::ReLU))
               .conv;
  conv2_ = make_conv_bn(*this, "conv2", "bn2", QuantConv2dOptions(out, out, 3).padding(1)).conv;
  record_layer(path("conv1"), conv1_, false, true);
  record_layer(path("conv2"), conv2_, true, false);
  if (stride != 1 || in != out) {
    shortcut_ = make_downsample(*this, in, out, stride);
    record_layer(path("downsample.0"), shortcut_, true, true);
  }
}

torch::Tensor BasicBlockImpl::forward(const torch::Tensor& x) {
  auto in = enter(x);
  auto out = conv2_(conv1_(in));
  auto skip = shortcut_.is_empty() ? in : shortcut_(in);
  return leave_relu(out + skip);
}

BottleneckImpl::BottleneckImpl(const std::string& name, int64_t in, int64_t width, int64_t stride)
    : UnitImpl(name, UnitRole::Block) {
  const int64_t out = width * kExpansion;
  conv1_ = make_conv_bn(*this, "conv1", "bn1", QuantConv2dOptions(in, width, 1).activation(Activation::ReLU)).conv;
  conv2_ = make_conv_bn(*this, "conv2", "bn2",
                        QuantConv2dOptions(width, width, 3).stride(stride).padding(1).activation(Activation::ReLU))
               .conv;
  conv3_ = make_conv_bn(*this, "conv3", "bn3", QuantConv2dOptions(width, out, 1)).conv;
  record_layer(path("conv1"), conv1_, false, true);
  record_layer(path("conv2"), conv2_);
  record_layer(path("conv3"), conv3_, true, false);
  if (stride != 1 || in != out) {
    shortcut_ = make_downsample(*this, in, out, stride);
    record_layer(path("downsample.0"), shortcut_, true, true);
  }
}

torch::Tensor BottleneckImpl::forward(const torch::Tensor& x) {
  auto in = enter(x);
  auto out = conv3_(conv2_(conv1_(in)));
  auto skip = shortcut_.is_empty() ? in : shortcut_(in);
  return leave_relu(out + skip);
}

ResNetImpl::ResNetImpl(const ResNetOptions& o)
    : QuantModelImpl(o.arch, o.num_classes, {o.in_channels, o.image_size, o.image_size}) {
  PTQ_CHECK(o.blocks.size() == o.widths.size() && !o.blocks.empty(),
            "{}: blocks per stage ({}) and stage widths ({}) must be non-empty lists of one length", o.arch,
            o.blocks.size(), o.widths.size());
  auto stem_conv = o.small_input ? QuantConv2dOptions(o.in_channels, o.stem_width, 3).padding(1)
                                 : QuantConv2dOptions(o.in_channels, o.stem_width, 7).stride(2).padding(3);
  add_unit(std::make_shared<ConvBnActUnitImpl>("stem", UnitRole::Stem, this, "", "conv1", "bn1",
                                               stem_conv.activation(Activation::ReLU), !o.small_input));
  const int64_t expansion = o.bottleneck ? BottleneckImpl::kExpansion : BasicBlockImpl::kExpansion;
  int64_t in = o.stem_width;
  for (size_t s = 0; s < o.blocks.size(); ++s) {
    const std::string stage = "layer" + std::to_string(s + 1);
    auto list = register_module(stage, torch::nn::ModuleList());
    for (int64_t b = 0; b < o.blocks[s]; ++b) {
      const int64_t stride = (b == 0 && s > 0) ? 2 : 1;
      const std::string name = stage + "." + std::to_string(b);
      std::shared_ptr<UnitImpl> block;
      if (o.bottleneck) {
        block = std::make_shared<BottleneckImpl>(name, in, o.widths[s], stride);
      } else {
        block = std::make_shared<BasicBlockImpl>(name, in, o.widths[s], stride);
      }
      list->push_back(block);
      add_unit(block);
      in = o.widths[s] * expansion;
    }
  }
  auto fc = register_module("fc", QuantLinear(QuantLinearOptions(in, o.num_classes)));
  add_unit(std::make_shared<PoolLinearHeadImpl>("head", fc, "fc"));
}

}  // namespace ptq
