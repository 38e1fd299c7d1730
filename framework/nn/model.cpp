#include "framework/nn/model.h"

#include "framework/core/check.h"
#include "framework/core/finite.h"

#include <set>

namespace ptq {

QuantModelImpl::QuantModelImpl(std::string arch, int64_t num_classes, std::vector<int64_t> input_shape)
    : arch_(std::move(arch)), num_classes_(num_classes), input_shape_(std::move(input_shape)) {}

torch::Tensor QuantModelImpl::forward_units(torch::Tensor x, size_t begin, size_t end) {
  PTQ_INTERNAL_ASSERT(begin <= end && end <= units_.size(), "unit range [{}, {}) of {}", begin, end, units_.size());
  for (size_t i = begin; i < end; ++i) x = units_[i]->forward(x);
  return x;
}

std::string QuantModelImpl::locate_nonfinite(const torch::Tensor& input) {
  torch::NoGradGuard no_grad;
  if (auto bad = nonfinite_summary(input); !bad.empty()) return fmt::format("the input already holds NaN/Inf: {}", bad);
  torch::Tensor x = input;
  for (size_t i = 0; i < units_.size(); ++i) {
    x = units_[i]->forward(x);
    if (auto bad = nonfinite_summary(x); !bad.empty())
      return fmt::format("NaN/Inf first appears in the output of unit {} '{}': {}; check its weights and "
                         "quantiser scales",
                         i, units_[i]->unit_name(), bad);
  }
  return "no unit produced NaN/Inf when rerun (a non-deterministic fault?)";
}

std::vector<LayerEntry> QuantModelImpl::layers() const {
  std::vector<LayerEntry> out;
  for (const auto& u : units_)
    for (const auto& e : u->layers()) out.push_back(e);
  return out;
}

std::vector<Quantizer> QuantModelImpl::quantizers() const {
  std::vector<Quantizer> out;
  for (const auto& u : units_)
    for (const auto& q : u->quantizers()) out.push_back(q);
  return out;
}

void QuantModelImpl::set_all_quantizers(QuantizerState state) {
  for (auto& q : quantizers())
    if (q->configured()) q->set_state(state);
}

void QuantModelImpl::fold_batchnorm() {
  std::set<const torch::nn::Module*> folded;
  for (const auto& e : layers()) {
    auto bn = e.layer->fold_bn();
    if (!bn.is_empty()) folded.insert(bn.get());
  }
  if (folded.empty()) return;
  // Remove the folded BN modules from whichever module registered them.
  std::vector<std::shared_ptr<torch::nn::Module>> parents{shared_from_this()};
  for (const auto& m : modules(/*include_self=*/false)) parents.push_back(m);
  for (const auto& parent : parents) {
    std::vector<std::string> names;
    for (const auto& child : parent->named_children())
      if (folded.count(child.value().get())) names.push_back(child.key());
    for (const auto& n : names) parent->unregister_module(n);
  }
}

bool QuantModelImpl::batchnorm_folded() const {
  for (const auto& e : layers())
    if (e.layer->has_unfolded_bn()) return false;
  return true;
}

void QuantModelImpl::pretty_print(std::ostream& stream) const {
  stream << "QuantModel(" << arch_ << ", " << units_.size() << " units, " << num_classes_ << " classes)";
}

}  // namespace ptq
