#include "framework/experiment/train_lm.h"

#include "framework/core/check.h"
#include "framework/core/progress.h"
#include "framework/core/strings.h"
#include "framework/data/rng.h"

#include <chrono>
#include <cmath>

namespace ptq {
namespace {

double lr_at(int64_t step, const LmTrainOptions& o) {
  if (step < o.warmup_steps) return o.lr * static_cast<double>(step + 1) / static_cast<double>(o.warmup_steps);
  const double progress = static_cast<double>(step - o.warmup_steps) /
                          static_cast<double>(std::max<int64_t>(1, o.steps - o.warmup_steps));
  return o.lr * (0.1 + 0.9 * 0.5 * (1.0 + std::cos(M_PI * std::min(1.0, progress))));
}

}  // namespace

LmTrainResult train_lm(LlamaModelImpl& model, const torch::Tensor& tokens, const LmTrainOptions& o) {
  PTQ_CHECK(o.steps > 0 && o.batch_size > 0 && o.seq_len >= 2 && o.lr > 0 && o.warmup_steps >= 0,
            "train_lm: steps, batch_size and lr must be positive and seq_len at least 2");
  PTQ_CHECK(tokens.dim() == 1 && tokens.numel() > o.seq_len + 1,
            "train_lm: the training text has {} tokens, too few for windows of {}", tokens.numel(), o.seq_len + 1);
  PTQ_CHECK(o.seq_len <= model.config().max_position_embeddings,
            "train_lm: seq_len {} exceeds the model's max_position_embeddings {}", o.seq_len,
            model.config().max_position_embeddings);
  model.train();
  std::vector<torch::Tensor> decay, no_decay;
  for (auto& p : model.named_parameters()) {
    if (!p.value().requires_grad()) continue;
    (p.value().dim() == 2 && ends_with(p.key(), ".weight") ? decay : no_decay).push_back(p.value());
  }
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(decay, std::make_unique<torch::optim::AdamWOptions>(
                                 torch::optim::AdamWOptions(o.lr).betas({0.9, 0.95}).weight_decay(o.weight_decay)));
  groups.emplace_back(no_decay, std::make_unique<torch::optim::AdamWOptions>(
                                    torch::optim::AdamWOptions(o.lr).betas({0.9, 0.95}).weight_decay(0.0)));
  torch::optim::AdamW opt(std::move(groups));
  const auto ids = tokens.to(torch::kLong).contiguous();
  const int64_t span = o.seq_len + 1, starts = ids.numel() - span + 1;
  data::DataRng rng(o.seed);
  ProgressBar bar("train lm", o.steps, o.progress);
  const auto t0 = std::chrono::steady_clock::now();
  double tail_sum = 0;
  int64_t tail_n = 0;
  const int64_t tail_from = o.steps - std::max<int64_t>(1, o.steps / 10);
  for (int64_t step = 0; step < o.steps; ++step) {
    std::vector<torch::Tensor> rows;
    for (int64_t b = 0; b < o.batch_size; ++b) rows.push_back(ids.narrow(0, rng.integer(0, starts), span));
    const auto batch = torch::stack(rows);
    const auto input = batch.narrow(1, 0, o.seq_len), target = batch.narrow(1, 1, o.seq_len);
    for (auto& g : opt.param_groups()) static_cast<torch::optim::AdamWOptions&>(g.options()).lr(lr_at(step, o));
    opt.zero_grad();
    const auto logits = model.forward(input);
    const auto loss = torch::nn::functional::cross_entropy(logits.reshape({-1, logits.size(-1)}), target.reshape({-1}));
    const double value = loss.item<double>();
    PTQ_CHECK(std::isfinite(value), "train_lm: the loss is {} at step {}; lower the learning rate (train.lr)", value,
              step);
    loss.backward();
    torch::nn::utils::clip_grad_norm_(model.parameters(), 1.0);
    opt.step();
    if (step >= tail_from) tail_sum += value, ++tail_n;
    if (step % 10 == 0 || step + 1 == o.steps) bar.update(step + 1, fmt::format("loss {:.3f}", value));
  }
  model.eval();
  LmTrainResult r;
  r.final_loss = tail_sum / static_cast<double>(std::max<int64_t>(1, tail_n));
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  bar.finish(fmt::format("loss {:.3f}", r.final_loss));
  return r;
}

}  // namespace ptq
