#include "framework/nn/llama_config.h"

#include "framework/core/check.h"

namespace ptq {

void LlamaConfig::validate(const std::string& where) const {
  auto positive = [&](int64_t v, const char* key) {
    PTQ_CHECK(v > 0, "{}: {} must be a positive integer, got {}", where, key, v);
  };
  positive(vocab_size, "vocab_size");
  positive(hidden_size, "hidden_size");
  positive(intermediate_size, "intermediate_size");
  positive(num_layers, "num_hidden_layers");
  positive(num_heads, "num_attention_heads");
  positive(num_kv_heads, "num_key_value_heads");
  positive(head_dim, "head_dim");
  positive(max_position_embeddings, "max_position_embeddings");
  PTQ_CHECK(num_heads % num_kv_heads == 0,
            "{}: num_attention_heads ({}) must be a multiple of num_key_value_heads ({}) for grouped-query attention",
            where, num_heads, num_kv_heads);
  PTQ_CHECK(head_dim % 2 == 0, "{}: head_dim must be even for rotary embeddings, got {}", where, head_dim);
  PTQ_CHECK(rms_norm_eps > 0, "{}: rms_norm_eps must be positive, got {}", where, rms_norm_eps);
  PTQ_CHECK(rope_theta > 0, "{}: rope_theta must be positive, got {}", where, rope_theta);
}

LlamaConfig llama_config_from_hf_json(const nlohmann::json& j, const std::string& source) {
  PTQ_CHECK(j.is_object(), "{}: expected a JSON object (a Hugging Face config.json)", source);
  if (j.contains("model_type")) {
    const auto type = j["model_type"].is_string() ? j["model_type"].get<std::string>() : std::string("?");
    PTQ_CHECK(type == "llama" || type == "mistral",
              "{}: model_type is \"{}\", but ptq's decoder implements LLaMA-style models (model_type llama or "
              "mistral)",
              source, type);
  }
  LlamaConfig c;
  auto get_int = [&](const char* key, int64_t fallback, bool required) {
    if (!j.contains(key) || j[key].is_null()) {
      PTQ_CHECK(!required, "{}: missing key \"{}\"", source, key);
      return fallback;
    }
    PTQ_CHECK(j[key].is_number_integer(), "{}: \"{}\" must be an integer, got {}", source, key, j[key].dump());
    return j[key].get<int64_t>();
  };
  auto get_double = [&](const char* key, double fallback) {
    if (!j.contains(key) || j[key].is_null()) return fallback;
    PTQ_CHECK(j[key].is_number(), "{}: \"{}\" must be a number, got {}", source, key, j[key].dump());
    return j[key].get<double>();
  };
  c.vocab_size = get_int("vocab_size", 0, true);
  c.hidden_size = get_int("hidden_size", 0, true);
  c.intermediate_size = get_int("intermediate_size", 0, true);
  c.num_layers = get_int("num_hidden_layers", 0, true);
  c.num_heads = get_int("num_attention_heads", 0, true);
  c.num_kv_heads = get_int("num_key_value_heads", c.num_heads, false);
  PTQ_CHECK(c.num_heads > 0, "{}: num_attention_heads must be a positive integer, got {}", source, c.num_heads);
  c.head_dim = get_int("head_dim", c.hidden_size / c.num_heads, false);
  c.rms_norm_eps = get_double("rms_norm_eps", 1e-6);
  c.rope_theta = get_double("rope_theta", 10000.0);
  c.max_position_embeddings = get_int("max_position_embeddings", 2048, false);
  if (j.contains("tie_word_embeddings")) {
    PTQ_CHECK(j["tie_word_embeddings"].is_boolean(), "{}: \"tie_word_embeddings\" must be true or false", source);
    c.tie_word_embeddings = j["tie_word_embeddings"].get<bool>();
  }
  if (j.contains("hidden_act")) {
    PTQ_CHECK(j["hidden_act"] == "silu", "{}: hidden_act is {}, but the LLaMA MLP here is SwiGLU (silu)", source,
              j["hidden_act"].dump());
  }
  // Settings that change the computation and are not implemented: refuse rather than compute
  // something else.
  for (const char* key : {"rope_scaling", "sliding_window"})
    PTQ_CHECK(!j.contains(key) || j[key].is_null(), "{}: \"{}\" = {} is not supported by ptq's decoder", source, key,
              j[key].dump());
  for (const char* key : {"attention_bias", "mlp_bias"})
    PTQ_CHECK(!j.contains(key) || j[key] == false, "{}: \"{}\" = {} is not supported by ptq's decoder", source, key,
              j[key].dump());
  c.validate(source);
  return c;
}

nlohmann::json llama_config_to_hf_json(const LlamaConfig& c) {
  return {{"architectures", {"LlamaForCausalLM"}},
          {"model_type", "llama"},
          {"vocab_size", c.vocab_size},
          {"hidden_size", c.hidden_size},
          {"intermediate_size", c.intermediate_size},
          {"num_hidden_layers", c.num_layers},
          {"num_attention_heads", c.num_heads},
          {"num_key_value_heads", c.num_kv_heads},
          {"head_dim", c.head_dim},
          {"rms_norm_eps", c.rms_norm_eps},
          {"rope_theta", c.rope_theta},
          {"max_position_embeddings", c.max_position_embeddings},
          {"tie_word_embeddings", c.tie_word_embeddings},
          {"hidden_act", "silu"},
          {"attention_bias", false},
          {"torch_dtype", "float32"}};
}

}  // namespace ptq
