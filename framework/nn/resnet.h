// ResNet family with torchvision's parameter names (conv1, bn1, layerN.M.{conv,bn}K,
// layerN.M.downsample.{0,1}, fc), so torchvision checkpoints load unchanged:
//   resnet18 / resnet50 — torchvision v1.5 (stride on the 3x3 conv of Bottleneck);
//   resnet8 / resnet14 / resnet20 — CIFAR-style (3 stages of widths 16/32/64, 3x3 stem, no
//   max-pool), sized for Fashion-MNIST; projection shortcuts (1x1 conv + BN) where shapes change.
// `small_input` turns the ImageNet stem (7x7/2 conv + 3x3/2 max-pool) into a 3x3/1 conv.
#pragma once

#include "framework/nn/model.h"

namespace ptq {

struct ResNetOptions {
  std::string arch = "resnet18";
  bool bottleneck = false;                        // BasicBlock (false) or Bottleneck (true)
  std::vector<int64_t> blocks{2, 2, 2, 2};        // blocks per stage
  std::vector<int64_t> widths{64, 128, 256, 512};  // stage widths (before expansion)
  int64_t stem_width = 64;
  bool small_input = false;
  int64_t num_classes = 1000;
  int64_t in_channels = 3;
  int64_t image_size = 224;
};

class ResNetImpl : public QuantModelImpl {
 public:
  explicit ResNetImpl(const ResNetOptions& options);
};

// Residual blocks, usable by other architectures.
class BasicBlockImpl : public UnitImpl {
 public:
  BasicBlockImpl(const std::string& name, int64_t in, int64_t out, int64_t stride);
  torch::Tensor forward(const torch::Tensor& x) override;
  static constexpr int64_t kExpansion = 1;

 private:
  QuantConv2d conv1_{nullptr}, conv2_{nullptr}, shortcut_{nullptr};
};

class BottleneckImpl : public UnitImpl {
 public:
  BottleneckImpl(const std::string& name, int64_t in, int64_t width, int64_t stride);
  torch::Tensor forward(const torch::Tensor& x) override;
  static constexpr int64_t kExpansion = 4;

 private:
  QuantConv2d conv1_{nullptr}, conv2_{nullptr}, conv3_{nullptr}, shortcut_{nullptr};
};

}  // namespace ptq
