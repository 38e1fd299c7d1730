// MobileNetV2 (Sandler et al. 2018) with torchvision's parameter names, so torchvision
// checkpoints load unchanged (314 state-dict entries at width 1.0):
//   features.0.{0,1}          stem: 3x3/2 conv (32) + BN + ReLU6            — unit role Stem
//   features.1 … features.17  InvertedResidual units                        — role Block
//   features.18.{0,1}         1x1 conv to 1280 + BN + ReLU6                 — role Block
//   classifier.1              Linear (classifier.0 is Dropout: identity in eval) — Head
// Quantiser placement follows BRECQ (ptq-methods.md §2.1–2.3): the project conv of every
// InvertedResidual has no output quantiser (feeds_add, also without a residual); the block
// quantises its output once, after the optional add (no ReLU after it). features.18 keeps
// its single output quantiser at the unit's exit, so under the output policy it is the last
// activation quantiser before the classifier (the FC input, 8-bit by default).
// `small_input` makes the stem stride 1, for 28–32 px inputs.
#pragma once

#include "framework/nn/model.h"

namespace ptq {

struct MobileNetV2Options {
  int64_t num_classes = 1000;
  int64_t in_channels = 3;
  int64_t image_size = 224;
  bool small_input = false;  // stem stride 1 instead of 2
  double width_mult = 1.0;   // channel multiplier; widths rounded to multiples of 8
};

class MobileNetV2Impl : public QuantModelImpl {
 public:
  explicit MobileNetV2Impl(const MobileNetV2Options& options);
};

// torchvision's InvertedResidual, registered under `name` (e.g. "features.3"):
//   t != 1: conv.0.{0,1} expand 1x1 + BN + ReLU6, conv.1.{0,1} depthwise 3x3 + BN + ReLU6,
//           conv.2 project 1x1, conv.3 BN;
//   t == 1: conv.0.{0,1} depthwise 3x3 + BN + ReLU6, conv.1 project 1x1, conv.2 BN.
// Residual add iff stride 1 and in == out; no activation after it.
class InvertedResidualImpl : public UnitImpl {
 public:
  InvertedResidualImpl(const std::string& name, int64_t in, int64_t out, int64_t stride, int64_t expand_ratio);
  torch::Tensor forward(const torch::Tensor& x) override;
  bool has_residual() const { return residual_; }

 private:
  QuantConv2d expand_{nullptr}, depthwise_{nullptr}, project_{nullptr};
  bool residual_;
};

}  // namespace ptq
