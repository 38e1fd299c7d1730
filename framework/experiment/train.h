// Float training of a zoo model on an image data set (the embedded default trains its own
// Fashion-MNIST model, since no pretrained weights can be downloaded at run time).
// SGD with momentum (Nesterov), weight decay, cosine learning-rate decay per step, batches
// drawn by a seeded permutation each epoch: the same options and seed give the same weights
// on the same machine and thread count. A progress bar goes to stderr.
#pragma once

#include "framework/data/dataset.h"
#include "framework/nn/model.h"

namespace ptq {

struct TrainOptions {
  int64_t epochs = 2;
  int64_t batch_size = 128;
  double lr = 0.1;            // peak learning rate, decayed to 0 by a cosine
  double momentum = 0.9;
  double weight_decay = 5e-4;
  uint64_t seed = 0;
  bool progress = true;       // progress bar on stderr
};

struct TrainResult {
  double final_loss = 0;      // mean training loss over the last epoch
  double train_top1 = 0;      // training accuracy (%) over the last epoch
  double seconds = 0;
};

TrainResult train_classifier(QuantModelImpl& model, const data::ImageDataset& train_set, const TrainOptions& options);

}  // namespace ptq
