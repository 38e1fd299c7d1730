#include "framework/core/check.h"
#include "framework/data/dataset.h"
#include "framework/data/rng.h"

#include <numeric>

namespace ptq::data {

std::vector<int64_t> sample_indices(int64_t population, int64_t n, uint64_t seed) {
  PTQ_CHECK(population >= 0 && n >= 0, "sample_indices: population ({}) and n ({}) must be >= 0",
            population, n);
  PTQ_CHECK(n <= population,
            "cannot draw {} distinct samples from a dataset of {} images; hint: lower num_samples "
            "to at most {} or use a larger dataset",
            n, population, population);
  // Partial Fisher-Yates: the first n slots end up a uniform sample in random order.
  std::vector<int64_t> pool(static_cast<size_t>(population));
  std::iota(pool.begin(), pool.end(), int64_t{0});
  DataRng rng(seed);
  for (int64_t i = 0; i < n; ++i) std::swap(pool[i], pool[rng.integer(i, population)]);
  pool.resize(static_cast<size_t>(n));
  return pool;
}

torch::Tensor calibration_images(const ImageDataset& dataset, const CalibrationOptions& options) {
  PTQ_CHECK(options.num_samples > 0, "calibration num_samples must be positive, got {}",
            options.num_samples);
  const auto indices = sample_indices(dataset.size(), options.num_samples, options.seed);
  // Fetch in chunks so lazily decoded datasets never hold more than one chunk of temporaries.
  constexpr size_t kChunk = 256;
  std::vector<torch::Tensor> parts;
  for (size_t start = 0; start < indices.size(); start += kChunk) {
    const size_t end = std::min(indices.size(), start + kChunk);
    parts.push_back(dataset.batch({indices.begin() + start, indices.begin() + end}).first);
  }
  return parts.size() == 1 ? parts.front() : torch::cat(parts, 0);
}

}  // namespace ptq::data
