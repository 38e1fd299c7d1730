#include "framework/nn/weights.h"

#include "framework/core/check.h"
#include "framework/core/finite.h"
#include "framework/core/logging.h"
#include "framework/core/strings.h"
#include "framework/io/safetensors.h"
#include "framework/nn/state.h"

namespace ptq {

void load_model_state(QuantModelImpl& model, const std::map<std::string, torch::Tensor>& tensors,
                      const std::string& source, bool allow_partial) {
  auto state = model_state(model);
  std::vector<std::string> model_names;
  for (const auto& kv : state) model_names.push_back(kv.first);
  std::vector<std::string> problems, skipped;  // skipped: missing/unexpected under allow_partial
  for (const auto& kv : state)
    if (!tensors.count(kv.first))
      (allow_partial ? skipped : problems).push_back(fmt::format("missing tensor '{}'", kv.first));
  for (const auto& kv : tensors) {
    auto it = state.find(kv.first);
    if (it == state.end()) {
      (allow_partial ? skipped : problems)
          .push_back(fmt::format("unexpected tensor '{}'{}", kv.first, did_you_mean(kv.first, model_names)));
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
             "uses torchvision's parameter names, and is loaded before BN folding (model.allow_partial_load: true "
             "loads a checkpoint that lacks or adds tensors)",
             source, model.arch(), problems.size(), join(head, "\n  "),
             problems.size() > shown ? fmt::format("\n  ... and {} more", problems.size() - shown) : "");
  }
  std::vector<std::string> nonfinite;  // checked on every tensor that will be loaded
  for (const auto& kv : state)
    if (tensors.count(kv.first))
      if (auto bad = nonfinite_summary(tensors.at(kv.first)); !bad.empty())
        nonfinite.push_back(fmt::format("tensor '{}': {}", kv.first, bad));
  if (!nonfinite.empty()) {
    const size_t shown = std::min<size_t>(nonfinite.size(), 20);
    std::vector<std::string> head(nonfinite.begin(), nonfinite.begin() + shown);
    PTQ_FAIL("cannot load weights from '{}' into {}: {} tensor(s) hold NaN/Inf:\n  {}{}\nhint: the checkpoint "
             "is damaged or comes from a diverged training run; re-export it or retrain (ptq train)",
             source, model.arch(), nonfinite.size(), join(head, "\n  "),
             nonfinite.size() > shown ? fmt::format("\n  ... and {} more", nonfinite.size() - shown) : "");
  }
  if (!skipped.empty())
    log_warn("partial load from '{}' into {} (model.allow_partial_load): {} tensor(s) not loaded:\n  {}", source,
             model.arch(), skipped.size(), join(skipped, "\n  "));
  torch::NoGradGuard no_grad;
  for (auto& kv : state)
    if (tensors.count(kv.first)) kv.second.copy_(tensors.at(kv.first).to(kv.second.scalar_type()));
}

void load_model_weights(QuantModelImpl& model, const std::string& path, bool allow_partial) {
  load_model_state(model, io::load_safetensors(path).tensors, path, allow_partial);
}

void save_model_weights(const QuantModelImpl& model, const std::string& path,
                        const std::map<std::string, std::string>& metadata) {
  auto meta = metadata;
  meta.emplace("ptq.arch", model.arch());
  io::save_safetensors(path, model_state(model), meta);
}

}  // namespace ptq
