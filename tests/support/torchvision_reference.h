// An independent second implementation of torchvision's eval-mode forward passes, for
// checking ptq's zoo. It reads weights straight from a name -> tensor map (torchvision's
// state-dict names) and calls torch::conv2d / batch_norm / linear / pooling directly; it
// shares no code with ptq's nn classes, and the architecture constants are written out
// here again from torchvision's definitions (RegNet stage widths and depths as torchvision
// ends up with them, not re-derived), so a mistake in ptq's model code shows up as a
// difference rather than being repeated.
//
// Supported: resnet18, resnet50, mobilenet_v2, regnetx_400mf, regnetx_600mf.
// BatchNorm uses eps 1e-5, as torchvision does for all five.
// `small_input` follows ptq's convention for 28–32 px inputs (not a torchvision option):
// ResNet: 3x3/1 stem conv and no max-pool; MobileNetV2 / RegNet: stem conv stride 1.
//
// Strictness: every tensor the architecture needs must be in `state` with the expected
// shape, and every tensor in `state` must be used (num_batches_tracked excepted), so a
// renamed, missing or surplus parameter fails loudly instead of being silently ignored.
#pragma once

#include <torch/torch.h>

#include <map>
#include <string>

namespace ptq::test {

struct ReferenceOptions {
  bool small_input = false;  // ptq's small-input stem (see above); default torchvision's
};

torch::Tensor reference_forward(const std::string& arch, const std::map<std::string, torch::Tensor>& state,
                                const torch::Tensor& x, const ReferenceOptions& options = {});

}  // namespace ptq::test
