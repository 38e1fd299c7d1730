// Perplexity of a causal language model with the usual protocol (GPTQ, AWQ, OmniQuant, CBQ):
// the token stream is cut into non-overlapping windows of `seq_len` tokens (a final partial
// window is dropped), each window is run on its own, and
//   perplexity = exp( Σ −log p(token_{t+1} | tokens_≤t) / number of predicted tokens ),
// i.e. token-weighted over the seq_len − 1 predictions of every window. (GPTQ's script weights
// each window's mean loss by seq_len; with equal windows that is the same number.)
#pragma once

#include "framework/nn/model.h"

#include <torch/torch.h>

namespace ptq {

struct PerplexityResult {
  double perplexity = 0;
  double nll_per_token = 0;  // mean negative log-likelihood, nats
  int64_t windows = 0;
  int64_t predicted_tokens = 0;
  double seconds = 0;
};

// `tokens`: a 1-D stream of token ids. `max_windows` > 0 evaluates only the first windows.
PerplexityResult perplexity(QuantModelImpl& model, const torch::Tensor& tokens, int64_t seq_len,
                            int64_t batch_size, int64_t max_windows = 0);

// Σ −log softmax(logits)[target] over all positions, in double; logits [..., V], targets [...].
double sum_nll(const torch::Tensor& logits, const torch::Tensor& targets);

}  // namespace ptq
