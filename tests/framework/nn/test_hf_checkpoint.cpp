// Hugging Face checkpoint folders: config.json parsing and refusals, single-file and sharded
// round trips, half-precision files, tied embeddings, derived buffers, damaged folders.
#include <catch2/catch.hpp>

#include "framework/core/check.h"
#include "framework/io/atomic_file.h"
#include "framework/io/safetensors.h"
#include "framework/nn/hf_checkpoint.h"
#include "framework/nn/state.h"
#include "tests/support/llama_fixture.h"
#include "tests/support/temp_dir.h"

#include <filesystem>

using namespace ptq;
using Catch::Contains;
namespace fs = std::filesystem;

namespace {

LlamaConfig tiny() { return test::tiny_llama(40, 16, 32, 3, 4, 1, 32); }

torch::Tensor logits_of(LlamaModelImpl& m) {
  torch::NoGradGuard g;
  m.eval();
  return m.forward(torch::arange(12, torch::kLong).remainder(40).view({2, 6}));
}

}  // namespace

TEST_CASE("hf config.json: read with defaults, refused when ptq would compute something else", "[llama][hf]") {
  nlohmann::json j = {{"model_type", "llama"},         {"vocab_size", 100},        {"hidden_size", 64},
                      {"intermediate_size", 128},      {"num_hidden_layers", 2},   {"num_attention_heads", 8},
                      {"torch_dtype", "bfloat16"},     {"rope_scaling", nullptr},  {"hidden_act", "silu"}};
  const auto c = llama_config_from_hf_json(j, "config.json");
  CHECK(c.num_kv_heads == 8);  // no GQA key: multi-head attention
  CHECK(c.head_dim == 8);
  CHECK(c.rope_theta == 10000.0);
  CHECK_FALSE(c.tie_word_embeddings);
  auto with = [&](const char* key, nlohmann::json value) {
    auto k = j;
    k[key] = std::move(value);
    return k;
  };
  CHECK_THROWS_WITH(llama_config_from_hf_json(with("rope_scaling", {{"type", "linear"}, {"factor", 2.0}}), "c.json"),
                    Contains("c.json") && Contains("\"rope_scaling\"") && Contains("not supported"));
  CHECK_THROWS_WITH(llama_config_from_hf_json(with("model_type", "gpt2"), "c.json"), Contains("model_type is \"gpt2\""));
  CHECK_THROWS_WITH(llama_config_from_hf_json(with("num_key_value_heads", 3), "c.json"),
                    Contains("multiple of num_key_value_heads (3)"));
  CHECK_THROWS_WITH(llama_config_from_hf_json(with("hidden_act", "gelu"), "c.json"), Contains("hidden_act"));
  CHECK_THROWS_WITH(llama_config_from_hf_json(with("vocab_size", "many"), "c.json"),
                    Contains("\"vocab_size\" must be an integer"));
  auto missing = j;
  missing.erase("hidden_size");
  CHECK_THROWS_WITH(llama_config_from_hf_json(missing, "c.json"), Contains("missing key \"hidden_size\""));
  // ptq's own config.json reads back as the same shape.
  const auto back = llama_config_from_hf_json(llama_config_to_hf_json(tiny()), "x");
  CHECK(back.num_kv_heads == 1);
  CHECK(back.intermediate_size == 32);
}

TEST_CASE("hf checkpoint: single-file and sharded folders round-trip to the same logits", "[llama][hf]") {
  torch::manual_seed(7);
  auto m = create_llama(tiny());
  const auto expected = logits_of(*m);
  test::TempDir dir;
  save_llama_checkpoint(*m, dir.file("single"));
  CHECK(fs::exists(dir.file("single/model.safetensors")));
  CHECK(torch::equal(logits_of(*load_llama_checkpoint(dir.file("single"))), expected));
  save_llama_checkpoint(*m, dir.file("sharded"), 8 << 10);  // 8 KiB shards
  CHECK(fs::exists(dir.file("sharded/model.safetensors.index.json")));
  CHECK_FALSE(fs::exists(dir.file("sharded/model.safetensors")));
  int shards = 0;
  for (const auto& e : fs::directory_iterator(dir.file("sharded"))) shards += e.path().extension() == ".safetensors";
  CHECK(shards >= 3);
  CHECK(torch::equal(logits_of(*load_llama_checkpoint(dir.file("sharded"))), expected));
  // A shard that the index lists but the folder lacks.
  const auto index = nlohmann::json::parse(io::read_file(dir.file("sharded/model.safetensors.index.json")));
  const auto first_shard = index["weight_map"]["model.norm.weight"].get<std::string>();
  fs::remove(dir.file("sharded/" + first_shard));
  CHECK_THROWS_WITH(load_llama_checkpoint(dir.file("sharded")), Contains("lists shard '" + first_shard + "'") &&
                                                                    Contains("missing"));
}

TEST_CASE("hf checkpoint: BF16 files, tied embeddings and inv_freq buffers load as HF loads them", "[llama][hf]") {
  torch::manual_seed(8);
  auto cfg = tiny();
  cfg.tie_word_embeddings = true;
  auto m = create_llama(cfg);
  test::TempDir dir;
  save_llama_checkpoint(*m, dir.path().string());
  auto tensors = io::load_safetensors(dir.file("model.safetensors")).tensors;
  for (auto& [name, t] : tensors) t = t.to(torch::kBFloat16);
  tensors.erase("lm_head.weight");  // tied: HF does not store it
  tensors["model.layers.0.self_attn.rotary_emb.inv_freq"] = torch::ones({2});
  io::save_safetensors(dir.file("model.safetensors"), tensors);
  auto loaded = load_llama_checkpoint(dir.path().string());
  const auto state = model_state(*loaded);
  const auto embed_bf16 = tensors.at("model.embed_tokens.weight").to(torch::kFloat);
  CHECK(torch::equal(state.at("model.embed_tokens.weight"), embed_bf16));
  CHECK(torch::equal(state.at("lm_head.weight"), embed_bf16));
  CHECK(torch::equal(state.at("model.layers.1.mlp.up_proj.weight"),
                     tensors.at("model.layers.1.mlp.up_proj.weight").to(torch::kFloat)));
}

TEST_CASE("hf checkpoint: a folder without weights or config, or with a wrong tensor, is a clear error", "[llama][hf]") {
  test::TempDir dir;
  CHECK_THROWS_WITH(load_llama_checkpoint(dir.file("nowhere")), Contains("is not a folder"));
  CHECK_THROWS_WITH(load_llama_checkpoint(dir.path().string()), Contains("has no config.json"));
  io::write_text_atomic(dir.file("config.json"), llama_config_to_hf_json(tiny()).dump());
  CHECK_THROWS_WITH(load_llama_checkpoint(dir.path().string()),
                    Contains("neither model.safetensors nor model.safetensors.index.json") && Contains(".bin"));
  auto m = create_llama(tiny());
  auto state = model_state(*m);
  state.erase("model.layers.2.mlp.down_proj.weight");
  state["model.layers.0.self_attn.q_proj.weight"] = torch::zeros({16, 15});
  io::save_safetensors(dir.file("model.safetensors"), state);
  CHECK_THROWS_WITH(load_llama_checkpoint(dir.path().string()),
                    Contains("missing tensor 'model.layers.2.mlp.down_proj.weight'") &&
                        Contains("tensor 'model.layers.0.self_attn.q_proj.weight' has shape [16, 15]"));
}
