// The shape of a LLaMA-style decoder (LLaMA 1/2, TinyLlama, SmolLM, Mistral-without-sliding-
// window), read from and written to a Hugging Face `config.json` with HF's own key names:
// vocab_size, hidden_size, intermediate_size, num_hidden_layers, num_attention_heads,
// num_key_value_heads (GQA; defaults to num_attention_heads), head_dim (defaults to
// hidden_size / num_attention_heads), rms_norm_eps, rope_theta, max_position_embeddings,
// tie_word_embeddings, hidden_act (must be silu). Keys that do not change the computation
// (torch_dtype, bos_token_id, ...) are ignored; ones that would and that ptq does not
// implement (rope_scaling, attention or MLP biases, sliding windows) are refused by name.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace ptq {

struct LlamaConfig {
  int64_t vocab_size = 32000;
  int64_t hidden_size = 4096;
  int64_t intermediate_size = 11008;
  int64_t num_layers = 32;
  int64_t num_heads = 32;
  int64_t num_kv_heads = 32;
  int64_t head_dim = 128;
  double rms_norm_eps = 1e-6;
  double rope_theta = 10000.0;
  int64_t max_position_embeddings = 2048;
  bool tie_word_embeddings = false;

  // Throws a UserError naming `where` and the key unless the shape is consistent.
  void validate(const std::string& where) const;
};

// From the parsed config.json; `source` names the file in errors.
LlamaConfig llama_config_from_hf_json(const nlohmann::json& j, const std::string& source);
// A config.json that Hugging Face transformers loads as LlamaForCausalLM.
nlohmann::json llama_config_to_hf_json(const LlamaConfig& c);

}  // namespace ptq
