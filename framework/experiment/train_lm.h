// Training of a small causal language model (ptq's own LLaMA-style decoder) on a token stream,
// since no pretrained LLM can be downloaded here: AdamW (β = 0.9, 0.95), linear warm-up then
// cosine decay to 10 % of the peak rate, gradient clipping at norm 1, next-token cross-entropy
// on windows of seq_len + 1 tokens drawn at seeded random offsets. Same options, seed and
// thread count → same weights. A progress bar goes to stderr.
#pragma once

#include "framework/nn/llama.h"

#include <torch/torch.h>

namespace ptq {

struct LmTrainOptions {
  int64_t steps = 1500;
  int64_t batch_size = 16;
  int64_t seq_len = 128;
  double lr = 2e-3;            // peak
  int64_t warmup_steps = 100;
  double weight_decay = 0.1;   // on matrices only (not norms)
  uint64_t seed = 0;
  bool progress = true;
};

struct LmTrainResult {
  double final_loss = 0;  // mean training loss over the last 10 % of the steps
  double seconds = 0;
};

LmTrainResult train_lm(LlamaModelImpl& model, const torch::Tensor& train_tokens, const LmTrainOptions& options);

}  // namespace ptq
