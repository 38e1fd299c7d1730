// Hugging Face checkpoint folders for LLaMA-style decoders: `config.json` plus either
// `model.safetensors` or shards listed in `model.safetensors.index.json`
// ({"weight_map": {tensor name: shard file}}), tensors under HF's own names in any float dtype
// (F32, F16, BF16: converted to float32 on load). PyTorch .bin checkpoints are not read: convert
// them to safetensors first (README). Older checkpoints' `rotary_emb.inv_freq` buffers are
// derived data and skipped; with tie_word_embeddings and no lm_head.weight, lm_head loads the
// embedding. Every other mismatch is refused with the full list (nn/weights.h).
#pragma once

#include "framework/nn/llama.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <map>
#include <string>

namespace ptq {

struct HfCheckpoint {
  nlohmann::json config;                          // config.json
  std::map<std::string, torch::Tensor> tensors;  // every tensor of every shard
};

HfCheckpoint read_hf_checkpoint(const std::string& dir);

std::shared_ptr<LlamaModelImpl> load_llama_checkpoint(const std::string& dir);

// Writes `dir`/config.json and the weights (float32) in HF's layout: one model.safetensors, or
// model-0000k-of-0000n.safetensors shards of at most `max_shard_bytes` plus the index.
void save_llama_checkpoint(const LlamaModelImpl& model, const std::string& dir,
                           int64_t max_shard_bytes = int64_t{2} << 30);

}  // namespace ptq
