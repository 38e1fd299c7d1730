#include "framework/experiment/train.h"

#include "framework/core/check.h"
#include "framework/core/progress.h"

#include <chrono>
#include <cmath>

namespace ptq {

TrainResult train_classifier(QuantModelImpl& model, const data::ImageDataset& train_set, const TrainOptions& o) {
  PTQ_CHECK(o.epochs > 0 && o.batch_size > 0 && o.lr > 0, "train: epochs, batch_size and lr must be positive");
  PTQ_CHECK(!model.batchnorm_folded(), "train: the model's BN layers are already folded; train before folding");
  model.set_all_quantizers(QuantizerState::Off);
  model.train();
  torch::optim::SGD opt(model.parameters(),
                        torch::optim::SGDOptions(o.lr).momentum(o.momentum).nesterov(true).weight_decay(o.weight_decay));
  const int64_t n = train_set.size();
  const int64_t steps_per_epoch = (n + o.batch_size - 1) / o.batch_size;
  const int64_t total_steps = steps_per_epoch * o.epochs;
  const auto start = std::chrono::steady_clock::now();
  TrainResult r;
  int64_t step = 0;
  for (int64_t epoch = 0; epoch < o.epochs; ++epoch) {
    const auto order = data::sample_indices(n, n, o.seed + 1000003ULL * static_cast<uint64_t>(epoch + 1));
    ProgressBar bar(fmt::format("train epoch {}/{}", epoch + 1, o.epochs), steps_per_epoch, o.progress);
    double loss_sum = 0;
    int64_t correct = 0, seen = 0;
    for (int64_t b = 0; b < steps_per_epoch; ++b, ++step) {
      const double lr = 0.5 * o.lr * (1.0 + std::cos(M_PI * static_cast<double>(step) / total_steps));
      for (auto& g : opt.param_groups()) static_cast<torch::optim::SGDOptions&>(g.options()).lr(lr);
      std::vector<int64_t> idx(order.begin() + b * o.batch_size,
                               order.begin() + std::min(n, (b + 1) * o.batch_size));
      auto [images, labels] = train_set.batch(idx);
      auto logits = model.forward(images);
      auto loss = torch::nn::functional::cross_entropy(logits, labels);
      PTQ_CHECK(std::isfinite(loss.item<double>()),
                "training diverged at epoch {} step {} (loss is {}); lower train.lr (now {})", epoch + 1, b,
                loss.item<double>(), o.lr);
      opt.zero_grad();
      loss.backward();
      opt.step();
      loss_sum += loss.item<double>() * idx.size();
      correct += logits.argmax(1).eq(labels).sum().item<int64_t>();
      seen += idx.size();
      bar.update(b + 1, fmt::format("loss {:.3f} acc {:.1f}%", loss_sum / seen, 100.0 * correct / seen));
    }
    bar.finish(fmt::format("loss {:.3f} acc {:.1f}%", loss_sum / seen, 100.0 * correct / seen));
    r.final_loss = loss_sum / seen;
    r.train_top1 = 100.0 * correct / seen;
  }
  model.eval();
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

}  // namespace ptq
