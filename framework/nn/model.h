// QuantModel: an ordered list of reconstruction units; forward is the fold over them.
// Subclasses (the zoo) register parameters under torchvision's names and push units in
// execution order. Everything a method needs is reachable from here: units, layers,
// quantisers, BN folding, and running a sub-range of units.
#pragma once

#include "framework/nn/unit.h"

#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

namespace ptq {

class QuantModelImpl : public torch::nn::Module {
 public:
  torch::Tensor forward(const torch::Tensor& x) { return forward_units(x, 0, units_.size()); }
  // Runs units [begin, end) on x.
  torch::Tensor forward_units(torch::Tensor x, size_t begin, size_t end);

  // For an input whose output holds NaN/Inf: reruns it unit by unit and says where the
  // non-finite values first appear ("the input …" or "the output of unit 'layer2.0' …").
  std::string locate_nonfinite(const torch::Tensor& x);

  const std::vector<std::shared_ptr<UnitImpl>>& units() const { return units_; }
  std::vector<LayerEntry> layers() const;
  std::vector<Quantizer> quantizers() const;
  void set_all_quantizers(QuantizerState state);

  // Folds every attached BN into its conv and removes the BN modules (idempotent).
  void fold_batchnorm();
  bool batchnorm_folded() const;

  const std::string& arch() const { return arch_; }
  int64_t num_classes() const { return num_classes_; }
  // Input shape of one example, [C, H, W], used to validate data and by `ptq predict`.
  const std::vector<int64_t>& input_shape() const { return input_shape_; }

  void pretty_print(std::ostream& stream) const override;

 protected:
  QuantModelImpl(std::string arch, int64_t num_classes, std::vector<int64_t> input_shape);
  void add_unit(std::shared_ptr<UnitImpl> unit) { units_.push_back(std::move(unit)); }

 private:
  std::string arch_;
  int64_t num_classes_;
  std::vector<int64_t> input_shape_;
  std::vector<std::shared_ptr<UnitImpl>> units_;
};

using QuantModel = std::shared_ptr<QuantModelImpl>;

}  // namespace ptq
