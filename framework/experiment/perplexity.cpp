#include "framework/experiment/perplexity.h"

#include "framework/core/check.h"
#include "framework/core/finite.h"

#include <chrono>
#include <cmath>

namespace ptq {

double sum_nll(const torch::Tensor& logits, const torch::Tensor& targets) {
  const auto logp = torch::log_softmax(logits.to(torch::kFloat), -1);
  const auto picked = logp.gather(-1, targets.to(torch::kLong).unsqueeze(-1));
  return -picked.to(torch::kDouble).sum().item<double>();
}

PerplexityResult perplexity(QuantModelImpl& model, const torch::Tensor& tokens, int64_t seq_len, int64_t batch_size,
                            int64_t max_windows) {
  PTQ_CHECK(tokens.dim() == 1, "perplexity: expected a 1-D token stream, got shape [{}]", fmt::join(tokens.sizes(), ", "));
  PTQ_CHECK(seq_len >= 2, "perplexity: seq_len must be at least 2, got {}", seq_len);
  PTQ_CHECK(batch_size >= 1, "perplexity: batch_size must be positive, got {}", batch_size);
  int64_t windows = tokens.numel() / seq_len;
  if (max_windows > 0) windows = std::min(windows, max_windows);
  PTQ_CHECK(windows > 0, "perplexity: the text has {} tokens, fewer than one window of {}; use more text or a shorter "
                         "sequence length",
            tokens.numel(), seq_len);
  torch::NoGradGuard no_grad;
  model.eval();
  const auto start = std::chrono::steady_clock::now();
  const auto all = tokens.narrow(0, 0, windows * seq_len).to(torch::kLong).view({windows, seq_len});
  double nll = 0;
  for (int64_t w = 0; w < windows; w += batch_size) {
    const auto ids = all.narrow(0, w, std::min(batch_size, windows - w));
    const auto logits = model.forward(ids);
    if (!all_finite(logits))
      PTQ_FAIL("perplexity: the logits of windows [{}, {}) are not finite; {}", w, w + ids.size(0),
               model.locate_nonfinite(ids));
    nll += sum_nll(logits.narrow(1, 0, seq_len - 1), ids.narrow(1, 1, seq_len - 1));
  }
  PerplexityResult r;
  r.windows = windows;
  r.predicted_tokens = windows * (seq_len - 1);
  r.nll_per_token = nll / static_cast<double>(r.predicted_tokens);
  r.perplexity = std::exp(r.nll_per_token);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

}  // namespace ptq
