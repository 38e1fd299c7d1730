// Reconstruction units: the building blocks of every ptq model (see DESIGN.md). LibTorch
// has no forward hooks, so a model is an ordered list of units whose forward is a fold;
// residual connections live inside a unit. Reconstruction granularity is then a choice of
// how to group units (layer, unit, stage, sliding window).
//
// A unit knows
//  * its role: Stem (first, reads the image), Block (reads and writes feature maps, may hold
//    a residual add), Head (pooling + classifier);
//  * its layers, in execution order, each with two flags the quantisation policy needs:
//      feeds_add        — the layer's output goes into a residual add (BRECQ: no act-quant
//                         on it; the unit quantises after the add instead). More generally:
//                         the unit's exit quantiser, not the layer's, quantises this output
//                         (MobileNetV2's project conv also without a residual, features.18);
//      reads_unit_input — the layer reads the unit's input directly (MetaAug input policy:
//                         quantised once, shared, at unit entry);
//  * two unit-level quantisers applied at entry and exit (enter()/leave()).
// Units whose parameters sit at the top level of a torchvision model (ResNet's conv1/bn1/fc)
// are not registered as modules themselves; the model registers their layers under
// torchvision's names and keeps the unit only in its list. Such units never enable their own
// unit-level quantisers (they are stems or heads).
#pragma once

#include "framework/nn/quant_layer.h"

#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

namespace ptq {

enum class UnitRole { Stem, Block, Head };
std::string unit_role_name(UnitRole r);

struct LayerEntry {
  std::string name;  // path inside the model, e.g. "layer1.0.conv1"
  std::shared_ptr<QuantLayerImpl> layer;
  bool feeds_add = false;
  bool reads_unit_input = false;
};

class UnitImpl : public torch::nn::Module {
 public:
  virtual torch::Tensor forward(const torch::Tensor& x) = 0;

  const std::string& unit_name() const { return name_; }
  UnitRole role() const { return role_; }
  const std::vector<LayerEntry>& layers() const { return layers_; }
  // Every quantiser of the unit (its layers' and its own), for state changes.
  std::vector<Quantizer> quantizers() const;

  Quantizer input_quantizer{nullptr}, output_quantizer{nullptr};

 protected:
  UnitImpl(std::string name, UnitRole role);
  // Records an (already registered) layer under its full model path, in execution order.
  template <typename Holder>
  Holder record_layer(const std::string& full_name, Holder layer, bool feeds_add = false, bool reads_unit_input = false) {
    layers_.push_back({full_name, layer.ptr(), feeds_add, reads_unit_input});
    return layer;
  }
  // "<unit name>.<child>", the full path of a child of a registered unit.
  std::string path(const std::string& child) const { return name_ + "." + child; }
  torch::Tensor enter(const torch::Tensor& x) { return input_quantizer(x); }
  torch::Tensor leave(const torch::Tensor& y) { return output_quantizer(y); }
  // leave(relu(y)), the ReLU fused into the quantiser's pass where it can be.
  torch::Tensor leave_relu(const torch::Tensor& y) { return output_quantizer->forward_relu(y); }

 private:
  std::string name_;
  UnitRole role_;
  std::vector<LayerEntry> layers_;
};

// Common unit shapes shared by several architectures --------------------------------------

// conv-bn-act (stem of ResNet / MobileNetV2 / RegNet, MobileNetV2's last 1x1 conv).
// Registers conv and bn as children `conv_name` / `bn_name` of `owner` (the model, or the
// unit itself when owner is null); `prefix` + conv_name is the conv's full name in the model.
// Optional 3x3/2 max-pool after it (ResNet's stem). `quantize_at_exit` (default false)
// records the conv as feeding the unit's exit quantiser, so a Block-role ConvBnAct unit
// (MobileNetV2's features.18) gets exactly one output quantiser — the unit's — under the
// output policy instead of the conv's and the unit's on the same tensor.
class ConvBnActUnitImpl : public UnitImpl {
 public:
  ConvBnActUnitImpl(std::string name, UnitRole role, torch::nn::Module* owner, const std::string& prefix,
                    const std::string& conv_name, const std::string& bn_name, const QuantConv2dOptions& conv,
                    bool max_pool, bool quantize_at_exit = false);
  torch::Tensor forward(const torch::Tensor& x) override;
  QuantConv2d conv{nullptr};
  torch::nn::BatchNorm2d bn{nullptr};

 private:
  bool max_pool_;
};

// Global average pool + flatten + linear classifier.
class PoolLinearHeadImpl : public UnitImpl {
 public:
  PoolLinearHeadImpl(std::string name, QuantLinear fc, const std::string& fc_name);
  torch::Tensor forward(const torch::Tensor& x) override;
  QuantLinear fc{nullptr};
};

// conv + BN pair: registers "<conv_name>" and "<bn_name>" on `owner` (torchvision's names)
// and attaches the BN to the conv.
struct ConvBn {
  QuantConv2d conv;
  torch::nn::BatchNorm2d bn;
};
ConvBn make_conv_bn(torch::nn::Module& owner, const std::string& conv_name, const std::string& bn_name,
                    const QuantConv2dOptions& options);

}  // namespace ptq
