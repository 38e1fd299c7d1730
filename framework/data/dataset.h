// Image-classification datasets as seen by the rest of ptq, plus the two ways PTQ consumes
// them: a fixed, seeded calibration sample and an in-order pass for evaluation.
//
//  * ImageDataset — abstract, random-access. batch(indices) returns
//      images float32 [B, C, H, W], already normalised (ready for the model),
//      labels int64 [B] in [0, num_classes()).
//    Implementations decode/transform lazily per batch, so a dataset object is cheap to keep
//    around; batch() is const and must be safe to call from one thread at a time.
//    Out-of-range indices are a UserError naming the index and the size.
//  * TensorDataset — in-memory images + labels (tests, synthetic data, cached features).
//    num_classes defaults to max(label) + 1 when passed as -1.
//  * sample_indices(population, n, seed) — n distinct indices in [0, population), in sampled
//    (random) order; the same arguments give the same result on every machine (DataRng, a
//    partial Fisher-Yates shuffle). n > population is a UserError naming both numbers.
//  * CalibrationOptions / calibration_images — the calibration set of reconstruction PTQ papers
//    (BRECQ, QDrop, ...): num_samples (default 1024) training images drawn without replacement
//    with `seed` (default 0), stacked as [N, C, H, W]. Any augmentation is the dataset's own
//    business (see ImageFolderOptions::calibration_augment).
//  * for_each_batch(dataset, batch_size, fn) — calls fn(images, labels) on consecutive batches
//    in index order [0, B), [B, 2B), ...; the last batch may be smaller.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace ptq::data {

class ImageDataset {
 public:
  virtual ~ImageDataset() = default;
  virtual int64_t size() const = 0;
  virtual int64_t num_classes() const = 0;
  // images float32 [B, C, H, W] normalised, labels int64 [B].
  virtual std::pair<torch::Tensor, torch::Tensor> batch(const std::vector<int64_t>& indices) const = 0;
  // One line for logs: kind, source, size, transforms.
  virtual std::string describe() const = 0;
};

class TensorDataset : public ImageDataset {
 public:
  // images float [N, C, H, W] (stored as float32), labels integer [N] (stored as int64).
  // num_classes = -1 infers max(label) + 1; `name` appears in describe() and errors.
  TensorDataset(torch::Tensor images, torch::Tensor labels, int64_t num_classes = -1,
                std::string name = "tensors");

  int64_t size() const override { return images_.size(0); }
  int64_t num_classes() const override { return num_classes_; }
  std::pair<torch::Tensor, torch::Tensor> batch(const std::vector<int64_t>& indices) const override;
  std::string describe() const override;

  const torch::Tensor& images() const { return images_; }
  const torch::Tensor& labels() const { return labels_; }

 private:
  torch::Tensor images_, labels_;
  int64_t num_classes_;
  std::string name_;
};

// Throws a UserError unless every index is in [0, size); `what` names the dataset.
void check_indices(const std::vector<int64_t>& indices, int64_t size, const std::string& what);

// n distinct indices in [0, population), reproducible from `seed`.
std::vector<int64_t> sample_indices(int64_t population, int64_t n, uint64_t seed);

struct CalibrationOptions {
  int64_t num_samples = 1024;  // images in the calibration set (the papers use 1024)
  uint64_t seed = 0;           // which images are drawn (and, with augmentation, how)
  int64_t memory_mb = 4096;    // a larger set is kept in a memory-mapped spill file instead
  std::string spill_dir;       // where that file goes ("" = $TMPDIR or /tmp)
};

// The stacked calibration images [num_samples, C, H, W], fetched 256 at a time. A set larger
// than memory_mb lives in a memory-mapped spill file (io/mapped_tensor.h), so it streams from
// disk instead of having to fit in memory.
torch::Tensor calibration_images(const ImageDataset& dataset, const CalibrationOptions& options);

using BatchFn = std::function<void(const torch::Tensor& images, const torch::Tensor& labels)>;

// fn(images, labels) over the whole dataset in index order, batch_size at a time.
void for_each_batch(const ImageDataset& dataset, int64_t batch_size, const BatchFn& fn);

}  // namespace ptq::data
