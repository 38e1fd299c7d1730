#include "framework/experiment/evaluate.h"

#include "framework/core/check.h"
#include "framework/core/finite.h"

#include <chrono>
#include <numeric>

namespace ptq {

EvalResult evaluate(QuantModelImpl& model, const data::ImageDataset& dataset, int64_t batch_size, int64_t limit) {
  PTQ_CHECK(batch_size > 0, "eval.batch_size: expected a positive integer, got {}", batch_size);
  torch::NoGradGuard no_grad;
  model.eval();
  const int64_t n = limit > 0 ? std::min(limit, dataset.size()) : dataset.size();
  const auto start = std::chrono::steady_clock::now();
  double loss_sum = 0;
  int64_t correct = 0;
  for (int64_t i = 0; i < n; i += batch_size) {
    std::vector<int64_t> idx(std::min(batch_size, n - i));
    std::iota(idx.begin(), idx.end(), i);
    auto [images, labels] = dataset.batch(idx);
    auto logits = model.forward(images);
    if (!all_finite(logits))
      PTQ_FAIL("evaluation: the logits of images [{}, {}) of {} are not finite; {}", i, i + idx.size(),
               dataset.describe(), model.locate_nonfinite(images));
    PTQ_CHECK(logits.size(1) == dataset.num_classes() || logits.size(1) > labels.max().item<int64_t>(),
              "model has {} outputs but the data set has {} classes; set model.num_classes", logits.size(1),
              dataset.num_classes());
    loss_sum += torch::nn::functional::cross_entropy(logits, labels, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                    .item<double>();
    correct += logits.argmax(1).eq(labels).sum().item<int64_t>();
  }
  EvalResult r;
  r.images = n;
  r.top1 = n ? 100.0 * correct / n : 0;
  r.loss = n ? loss_sum / n : 0;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

}  // namespace ptq
