// The config sections of a language-model experiment (model.arch: llama), read in one place:
//   model.llama.*  — the decoder's shape under Hugging Face's key names (hidden_size,
//                    intermediate_size, num_hidden_layers, num_attention_heads,
//                    num_key_value_heads, head_dim, rms_norm_eps, rope_theta,
//                    max_position_embeddings, tie_word_embeddings); vocab_size comes from
//                    the tokenizer. Not allowed when model.weights is a Hugging Face folder,
//                    whose config.json gives the shape.
//   data.*         — dataset fortunes (Debian's fortunes databases, root = their folder) or
//                    text (train_file / test_file), seq_len, tokenizer, vocab_size,
//                    tokenizer_type, holdout_every (fortunes);
//   train.*        — steps, batch_size, lr, warmup_steps, weight_decay, seed, progress
//                    (framework/experiment/train_lm.h).
#pragma once

#include "framework/config/section.h"
#include "framework/experiment/experiment_spec.h"

namespace ptq {

LlamaConfig read_llama_shape(const config::Section& s);
TextDataSpec read_text_data(const config::Section& s, const std::string& dataset, std::string* root);
LmTrainOptions read_lm_train(const config::Section& s, uint64_t seed, int64_t seq_len);

}  // namespace ptq
