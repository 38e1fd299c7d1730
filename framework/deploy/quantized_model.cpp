#include "framework/deploy/quantized_model.h"

#include "framework/config/config.h"
#include "framework/core/check.h"
#include "framework/core/strings.h"
#include "framework/experiment/run_dir.h"
#include "framework/io/safetensors.h"
#include "framework/nn/quant_setup.h"
#include "framework/nn/state.h"
#include "framework/nn/weights.h"
#include "framework/nn/zoo.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>

namespace ptq {
namespace {

namespace fs = std::filesystem;

// Quantisers by module path ("layer1.0.conv1.weight_quantizer").
std::map<std::string, QuantizerImpl*> quantizers_by_name(QuantModelImpl& model) {
  std::map<std::string, QuantizerImpl*> out;
  for (const auto& item : model.named_modules("", /*include_self=*/false))
    if (auto* q = dynamic_cast<QuantizerImpl*>(item.value().get())) out[item.key()] = q;
  return out;
}

std::string file_safe(const std::string& name) {
  std::string s = name;
  for (auto& c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') c = '_';
  return s.empty() ? "model" : s;
}

}  // namespace

bool is_quantizing(const QuantizerImpl& q) { return q.configured() && q.state() == QuantizerState::Quantize; }

std::map<std::string, std::string> model_file_metadata(const QuantModelImpl& model, const QuantizedModelInfo& info) {
  return {{"ptq.arch", model.arch()},
          {"ptq.config", info.config_yaml},
          {"ptq.variant", info.variant},
          {"ptq.overrides", nlohmann::json(info.overrides).dump()},
          {"ptq.commit", ptq_git_commit()}};
}

QuantizedModelInfo read_model_file_info(const std::map<std::string, std::string>& metadata, const std::string& path) {
  for (const char* key : {"ptq.config", "ptq.variant", "ptq.overrides"})
    PTQ_CHECK(metadata.count(key), "'{}' has no '{}' metadata: it was not written by ptq (a run's quantized/ or "
              "packed/ file) or is damaged; rerun the experiment or `ptq export` it again", path, key);
  QuantizedModelInfo info;
  info.config_yaml = metadata.at("ptq.config");
  info.variant = metadata.at("ptq.variant");
  try {
    info.overrides = nlohmann::json::parse(metadata.at("ptq.overrides")).get<std::vector<std::string>>();
  } catch (const nlohmann::json::exception& e) {
    PTQ_FAIL("'{}': metadata 'ptq.overrides' is not a JSON list of strings ({})", path, e.what());
  }
  return info;
}

LoadedModel build_model_for(const QuantizedModelInfo& info, const std::string& path) {
  LoadedModel out;
  out.info = info;
  const auto cfg = config::Config::from_string(info.config_yaml, path).with_overrides(info.overrides);
  out.spec = spec_from_config(cfg);
  out.model = create_model(out.spec.model.arch, out.spec.model.options);
  if (out.spec.model.fold_bn) out.model->fold_batchnorm();
  apply_quant_setup(*out.model, out.spec.quant);
  out.model->eval();
  return out;
}

int load_quantizer_state(QuantModelImpl& model, const std::map<std::string, torch::Tensor>& tensors,
                         const std::string& source) {
  const auto quantizers = quantizers_by_name(model);
  int loaded = 0;
  for (const auto& [name, t] : tensors) {
    if (!is_quantizer_state(name) || !ends_with(name, ".scale")) continue;
    const std::string module = name.substr(0, name.size() - 6);
    auto it = quantizers.find(module);
    PTQ_CHECK(it != quantizers.end() && it->second->configured(),
              "'{}' holds quantiser state '{}' but the model built from its config has no such quantiser configured; "
              "the file does not belong to this config",
              source, name);
    auto zp = tensors.find(module + ".zero_point");
    PTQ_CHECK(zp != tensors.end(), "'{}' has '{}' but no '{}.zero_point'; the file is damaged", source, name, module);
    PTQ_CHECK(zp->second.sizes() == t.sizes(), "'{}': '{}' and its zero point differ in shape", source, name);
    it->second->set_qparams({t, zp->second});
    it->second->set_state(QuantizerState::Quantize);
    ++loaded;
  }
  return loaded;
}

void save_quantized_model(QuantModelImpl& model, const std::string& path, const QuantizedModelInfo& info) {
  torch::NoGradGuard no_grad;
  auto tensors = model_state(model);
  for (const auto& entry : model.layers()) {
    auto& layer = *entry.layer;
    if (!is_quantizing(*layer.weight_quantizer)) continue;
    tensors.at(entry.name + ".weight") = layer.effective_weight().detach().contiguous();
  }
  for (const auto& [name, q] : quantizers_by_name(model)) {
    if (!is_quantizing(*q)) continue;
    tensors[name + ".scale"] = q->scale().detach();
    tensors[name + ".zero_point"] = q->zero_point().detach();
  }
  fs::create_directories(fs::path(path).parent_path());
  io::save_safetensors(path, tensors, model_file_metadata(model, info));
}

LoadedModel load_quantized_model(const std::string& path) {
  const auto file = io::load_safetensors(path);
  auto out = build_model_for(read_model_file_info(file.metadata, path), path);
  std::map<std::string, torch::Tensor> weights, qstate;
  for (const auto& [name, t] : file.tensors) (is_quantizer_state(name) ? qstate : weights)[name] = t;
  load_model_state(*out.model, weights, path);
  load_quantizer_state(*out.model, qstate, path);
  return out;
}

std::string quantized_model_path(const std::string& run_dir, const std::string& variant) {
  return (fs::path(run_dir) / "quantized" / (file_safe(variant) + ".safetensors")).string();
}

std::vector<std::string> quantized_variants(const std::string& run_dir) {
  PTQ_CHECK(fs::is_directory(run_dir), "'{}' is not a directory; give a run directory (runs/<config>/<time>/)", run_dir);
  std::vector<std::string> names;
  const fs::path dir = fs::path(run_dir) / "quantized";
  if (fs::is_directory(dir))
    for (const auto& e : fs::directory_iterator(dir))
      if (e.path().extension() == ".safetensors") names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  PTQ_CHECK(!names.empty(), "'{}' has no quantised model (quantized/*.safetensors): the run predates `ptq export`, "
            "ran no quantising method, or set output.save_quantized: false; rerun it with ptq run", run_dir);
  return names;
}

}  // namespace ptq
