// Evaluation of a classifier on a labelled image set: top-1 accuracy (%), mean
// cross-entropy and throughput, in fixed batches in index order (deterministic), without
// gradients and in eval mode.
#pragma once

#include "framework/data/dataset.h"
#include "framework/nn/model.h"

namespace ptq {

struct EvalResult {
  double top1 = 0;  // percent
  double loss = 0;  // mean cross-entropy
  int64_t images = 0;
  double seconds = 0;
  double images_per_second() const { return seconds > 0 ? images / seconds : 0; }
};

// `limit` > 0 evaluates only the first `limit` images.
EvalResult evaluate(QuantModelImpl& model, const data::ImageDataset& dataset, int64_t batch_size, int64_t limit = 0);

}  // namespace ptq
