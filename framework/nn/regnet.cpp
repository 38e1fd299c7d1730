#include "framework/nn/regnet.h"

#include "framework/core/check.h"
#include "framework/nn/make_divisible.h"

#include <cmath>

namespace ptq {
namespace {

// A torchvision Conv2dNormActivation registered as child `name` of `parent` ("0" conv, "1" BN).
QuantConv2d conv_bn(torch::nn::Module& parent, const std::string& name, const QuantConv2dOptions& options) {
  auto seq = parent.register_module(name, std::make_shared<torch::nn::Module>());
  return make_conv_bn(*seq, "0", "1", options).conv;
}

}  // namespace

RegNetDesign regnetx_400mf_design() { return {22, 24, 24.48, 2.54, 16}; }
RegNetDesign regnetx_600mf_design() { return {16, 48, 36.97, 2.24, 24}; }

RegNetStages regnet_stages(const RegNetDesign& d) {
  PTQ_CHECK(d.depth > 0 && d.w_a >= 0 && d.w_0 > 0 && d.w_m > 1 && std::fmod(d.w_0, 8.0) == 0 && d.group_width > 0,
            "RegNet design: expected depth > 0, w_a >= 0, w_0 a positive multiple of 8, w_m > 1 and group_width > 0; "
            "got depth {}, w_0 {}, w_a {}, w_m {}, group_width {}",
            d.depth, d.w_0, d.w_a, d.w_m, d.group_width);
  // torchvision evaluates this on float32 tensors with round-half-to-even; do the same so
  // every width lands where it does there.
  const float w0 = static_cast<float>(d.w_0), wa = static_cast<float>(d.w_a), wm = static_cast<float>(d.w_m);
  const float log_wm = static_cast<float>(std::log(d.w_m));
  std::vector<int64_t> block_widths;
  for (int64_t i = 0; i < d.depth; ++i) {
    const float cont = static_cast<float>(i) * wa + w0;
    const float capacity = std::nearbyint(std::log(cont / w0) / log_wm);
    const float width = std::nearbyint(w0 * std::pow(wm, capacity) / 8.0f) * 8.0f;
    block_widths.push_back(static_cast<int64_t>(width));
  }
  RegNetStages s;
  for (size_t i = 0; i < block_widths.size(); ++i) {
    if (i == 0 || block_widths[i] != block_widths[i - 1]) {
      s.widths.push_back(block_widths[i]);
      s.depths.push_back(0);
    }
    ++s.depths.back();
  }
  // Make stage widths divisible by the (possibly reduced) group width.
  for (auto& w : s.widths) {
    const int64_t g = std::min(d.group_width, w);
    s.group_widths.push_back(g);
    w = make_divisible(static_cast<double>(w), g);
  }
  return s;
}

ResBottleneckBlockImpl::ResBottleneckBlockImpl(const std::string& name, int64_t in, int64_t out, int64_t stride,
                                               int64_t group_width)
    : UnitImpl(name, UnitRole::Block) {
  PTQ_INTERNAL_ASSERT(group_width > 0 && out % group_width == 0, "width {} is not a multiple of group width {}", out,
                      group_width);
  if (stride != 1 || in != out) proj_ = conv_bn(*this, "proj", QuantConv2dOptions(in, out, 1).stride(stride));
  auto f = register_module("f", std::make_shared<torch::nn::Module>());
  a_ = conv_bn(*f, "a", QuantConv2dOptions(in, out, 1).activation(Activation::ReLU));
  b_ = conv_bn(*f, "b",
               QuantConv2dOptions(out, out, 3).stride(stride).padding(1).groups(out / group_width).activation(
                   Activation::ReLU));
  c_ = conv_bn(*f, "c", QuantConv2dOptions(out, out, 1));
  record_layer(path("f.a.0"), a_, false, true);
  record_layer(path("f.b.0"), b_);
  record_layer(path("f.c.0"), c_, true, false);
  if (!proj_.is_empty()) record_layer(path("proj.0"), proj_, true, true);
}

torch::Tensor ResBottleneckBlockImpl::forward(const torch::Tensor& x) {
  auto in = enter(x);
  auto out = c_(b_(a_(in)));
  auto skip = proj_.is_empty() ? in : proj_(in);
  return leave_relu(skip + out);
}

RegNetImpl::RegNetImpl(const RegNetOptions& o)
    : QuantModelImpl(o.arch, o.num_classes, {o.in_channels, o.image_size, o.image_size}) {
  const auto stages = regnet_stages(o.design);
  auto stem_conv = QuantConv2dOptions(o.in_channels, o.stem_width, 3).stride(o.small_input ? 1 : 2).padding(1);
  auto stem = std::make_shared<ConvBnActUnitImpl>("stem", UnitRole::Stem, nullptr, "stem.", "0", "1",
                                                  stem_conv.activation(Activation::ReLU), false);
  register_module("stem", stem);
  add_unit(stem);

  auto trunk = register_module("trunk_output", std::make_shared<torch::nn::Module>());
  int64_t in = o.stem_width;
  for (size_t s = 0; s < stages.widths.size(); ++s) {
    const std::string stage = "block" + std::to_string(s + 1);
    auto stage_module = trunk->register_module(stage, std::make_shared<torch::nn::Module>());
    for (int64_t i = 0; i < stages.depths[s]; ++i) {
      const std::string child = stage + "-" + std::to_string(i);
      auto block = std::make_shared<ResBottleneckBlockImpl>("trunk_output." + stage + "." + child, in,
                                                            stages.widths[s], i == 0 ? 2 : 1, stages.group_widths[s]);
      stage_module->register_module(child, block);
      add_unit(block);
      in = stages.widths[s];
    }
  }
  auto fc = register_module("fc", QuantLinear(QuantLinearOptions(in, o.num_classes)));
  add_unit(std::make_shared<PoolLinearHeadImpl>("head", fc, "fc"));
}

}  // namespace ptq
