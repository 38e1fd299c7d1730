// Tiny LLaMA-style decoder shapes for tests (head_dim = hidden / heads).
#pragma once

#include "framework/nn/llama_config.h"

namespace ptq::test {

inline LlamaConfig tiny_llama(int64_t vocab, int64_t hidden, int64_t intermediate, int64_t layers, int64_t heads,
                              int64_t kv_heads, int64_t max_positions = 64) {
  LlamaConfig c;
  c.vocab_size = vocab;
  c.hidden_size = hidden;
  c.intermediate_size = intermediate;
  c.num_layers = layers;
  c.num_heads = heads;
  c.num_kv_heads = kv_heads;
  c.head_dim = hidden / heads;
  c.max_position_embeddings = max_positions;
  return c;
}

}  // namespace ptq::test
