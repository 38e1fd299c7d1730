#include "framework/nn/weights.h"

#include "framework/core/check.h"
#include "framework/core/strings.h"
#include "framework/io/safetensors.h"
#include "framework/nn/state.h"

namespace ptq {

void load_model_state(QuantModelImpl& model, const std::map<std::string, torch::Tensor>& tensors,
                      const std::string& source) {
  auto state = model_state(model);
  std::vector<std::string> model_names;
  for (const auto& kv : state) model_names.push_back(kv.first);
  std::vector<std::string> problems;
  for (const auto& kv : state)
    if (!tensors.count(kv.first)) problems.push_back(fmt::format("missing tensor '{}'", kv.first));
  for (const auto& kv : tensors) {
    auto it = state.find(kv.first);
    if (it == state.end()) {
      problems.push_back(fmt::format("unexpected tensor '{}'{}", kv.first, did_you_mean(kv.first, model_names)));
    } else if (it->second.sizes() != kv.second.sizes()) {
      problems.push_back(fmt::format("tensor '{}' has shape [{}] but the model expects [{}]", kv.first,
                                     fmt::join(kv.second.sizes(), ", "), fmt::join(it->second.sizes(), ", ")));
    }
  }
  if (!problems.empty()) {
    const size_t shown = std::min<size_t>(problems.size(), 20);
    std::vector<std::string> head(problems.begin(), problems.begin() + shown);
    PTQ_FAIL("cannot load weights from '{}' into {}: {} problem(s):\n  {}{}\nhint: check that the checkpoint was "
             "made for this architecture and options (model.num_classes, model.in_channels, model.small_input), "
             "uses torchvision's parameter names, and is loaded before BN folding",
             source, model.arch(), problems.size(), join(head, "\n  "),
             problems.size() > shown ? fmt::format("\n  ... and {} more", problems.size() - shown) : "");
  }
  torch::NoGradGuard no_grad;
  for (auto& kv : state) kv.second.copy_(tensors.at(kv.first).to(kv.second.scalar_type()));
}

void load_model_weights(QuantModelImpl& model, const std::string& path) {
  load_model_state(model, io::load_safetensors(path).tensors, path);
}

void save_model_weights(const QuantModelImpl& model, const std::string& path,
                        const std::map<std::string, std::string>& metadata) {
  auto meta = metadata;
  meta.emplace("ptq.arch", model.arch());
  io::save_safetensors(path, model_state(model), meta);
}

}  // namespace ptq
