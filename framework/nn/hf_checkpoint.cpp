#include "framework/nn/hf_checkpoint.h"

#include "framework/core/check.h"
#include "framework/core/logging.h"
#include "framework/core/strings.h"
#include "framework/io/atomic_file.h"
#include "framework/io/safetensors.h"
#include "framework/nn/state.h"
#include "framework/nn/weights.h"

#include <filesystem>
#include <set>

namespace fs = std::filesystem;

namespace ptq {
namespace {

nlohmann::json read_json(const fs::path& path) {
  try {
    return nlohmann::json::parse(io::read_file(path.string()));
  } catch (const nlohmann::json::exception& e) {
    PTQ_FAIL("'{}' is not valid JSON ({}); the checkpoint is damaged, download or convert it again", path.string(),
             e.what());
  }
}

void read_sharded(const fs::path& dir, const fs::path& index_path, std::map<std::string, torch::Tensor>& out) {
  const auto index = read_json(index_path);
  PTQ_CHECK(index.is_object() && index.contains("weight_map") && index["weight_map"].is_object(),
            "'{}' has no \"weight_map\" object; the checkpoint is damaged", index_path.string());
  std::map<std::string, std::vector<std::string>> by_shard;
  for (const auto& [name, shard] : index["weight_map"].items()) {
    PTQ_CHECK(shard.is_string(), "'{}': weight_map[\"{}\"] must be a file name", index_path.string(), name);
    const auto file = shard.get<std::string>();
    PTQ_CHECK(!file.empty() && file.find('/') == std::string::npos && file != "..",
              "'{}': weight_map[\"{}\"] = \"{}\" is not a file name in the checkpoint folder", index_path.string(), name,
              file);
    by_shard[file].push_back(name);
  }
  for (const auto& [file, names] : by_shard) {
    const auto path = dir / file;
    PTQ_CHECK(fs::exists(path), "'{}' lists shard '{}' (for {} tensors, e.g. '{}'), which is missing from {}",
              index_path.string(), file, names.size(), names.front(), dir.string());
    auto shard = io::load_safetensors(path.string());
    for (const auto& name : names)
      PTQ_CHECK(shard.tensors.count(name), "'{}' says tensor '{}' is in '{}', but that shard does not hold it",
                index_path.string(), name, path.string());
    for (auto& [name, t] : shard.tensors) out[name] = std::move(t);
  }
}

}  // namespace

HfCheckpoint read_hf_checkpoint(const std::string& dir_text) {
  const fs::path dir(dir_text);
  PTQ_CHECK(fs::is_directory(dir), "'{}' is not a folder; give a Hugging Face checkpoint folder (config.json and "
                                   "model.safetensors or model.safetensors.index.json)",
            dir_text);
  HfCheckpoint ck;
  const auto config_path = dir / "config.json";
  PTQ_CHECK(fs::exists(config_path), "'{}' has no config.json; it is not a Hugging Face checkpoint folder", dir_text);
  ck.config = read_json(config_path);
  if (const auto index = dir / "model.safetensors.index.json"; fs::exists(index)) {
    read_sharded(dir, index, ck.tensors);
  } else if (const auto single = dir / "model.safetensors"; fs::exists(single)) {
    ck.tensors = io::load_safetensors(single.string()).tensors;
  } else {
    PTQ_FAIL("'{}' has neither model.safetensors nor model.safetensors.index.json; a PyTorch .bin checkpoint must be "
             "converted to safetensors first (see README, \"Transformers\")",
             dir_text);
  }
  return ck;
}

std::shared_ptr<LlamaModelImpl> load_llama_checkpoint(const std::string& dir) {
  auto ck = read_hf_checkpoint(dir);
  const auto config = llama_config_from_hf_json(ck.config, (fs::path(dir) / "config.json").string());
  auto model = create_llama(config);
  for (auto it = ck.tensors.begin(); it != ck.tensors.end();)
    it = ends_with(it->first, ".rotary_emb.inv_freq") ? ck.tensors.erase(it) : std::next(it);
  if (config.tie_word_embeddings && !ck.tensors.count("lm_head.weight") && ck.tensors.count("model.embed_tokens.weight"))
    ck.tensors["lm_head.weight"] = ck.tensors.at("model.embed_tokens.weight");
  load_model_state(*model, ck.tensors, dir);
  model->eval();
  return model;
}

void save_llama_checkpoint(const LlamaModelImpl& model, const std::string& dir_text, int64_t max_shard_bytes) {
  PTQ_CHECK(max_shard_bytes > 0, "save_llama_checkpoint: max_shard_bytes must be positive");
  const fs::path dir(dir_text);
  fs::create_directories(dir);
  const auto state = model_state(model);
  std::vector<std::map<std::string, torch::Tensor>> shards(1);
  int64_t bytes = 0;
  for (const auto& [name, t] : state) {
    const int64_t size = t.numel() * static_cast<int64_t>(t.element_size());
    if (bytes > 0 && bytes + size > max_shard_bytes) {
      shards.emplace_back();
      bytes = 0;
    }
    shards.back()[name] = t.detach().to(torch::kFloat).contiguous();
    bytes += size;
  }
  const std::map<std::string, std::string> meta{{"format", "pt"}};
  if (shards.size() == 1) {
    io::save_safetensors((dir / "model.safetensors").string(), shards.front(), meta);
  } else {
    nlohmann::json weight_map = nlohmann::json::object();
    int64_t total = 0;
    for (size_t i = 0; i < shards.size(); ++i) {
      const auto file = fmt::format("model-{:05d}-of-{:05d}.safetensors", i + 1, shards.size());
      io::save_safetensors((dir / file).string(), shards[i], meta);
      for (const auto& [name, t] : shards[i]) {
        weight_map[name] = file;
        total += t.numel() * static_cast<int64_t>(t.element_size());
      }
    }
    const nlohmann::json index = {{"metadata", {{"total_size", total}}}, {"weight_map", weight_map}};
    io::write_text_atomic((dir / "model.safetensors.index.json").string(), index.dump(2) + "\n");
  }
  io::write_text_atomic((dir / "config.json").string(), llama_config_to_hf_json(model.config()).dump(2) + "\n");
}

}  // namespace ptq
