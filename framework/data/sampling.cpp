#include "framework/core/check.h"
#include "framework/core/logging.h"
#include "framework/data/dataset.h"
#include "framework/data/rng.h"
#include "framework/io/mapped_tensor.h"
#include "framework/io/spill_file.h"

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
  PTQ_CHECK(options.memory_mb >= 0, "calibration.memory_mb: expected an integer >= 0, got {}", options.memory_mb);
  const auto indices = sample_indices(dataset.size(), options.num_samples, options.seed);
  // Fetched in chunks straight into the result, so lazily decoded datasets never hold more than
  // one chunk of temporaries and the set is never held twice.
  constexpr size_t kChunk = 256;
  torch::Tensor out;
  for (size_t start = 0; start < indices.size(); start += kChunk) {
    const size_t end = std::min(indices.size(), start + kChunk);
    const auto part = dataset.batch({indices.begin() + start, indices.begin() + end}).first;
    if (!out.defined()) {
      std::vector<int64_t> shape = part.sizes().vec();
      shape[0] = static_cast<int64_t>(indices.size());
      int64_t bytes = static_cast<int64_t>(sizeof(float));
      for (const auto d : shape) bytes *= d;
      if (bytes <= options.memory_mb * (int64_t{1} << 20)) {
        out = torch::empty(shape, torch::kFloat);
      } else {
        out = io::empty_mapped_tensor(shape, options.spill_dir, "calibration set",
                                      "set calibration.spill_dir to a folder on a larger disk, or raise "
                                      "calibration.memory_mb");
        log_info("calibration set: {:.1f} MiB exceeds calibration.memory_mb = {}, kept in a memory-mapped file in {}",
                 static_cast<double>(bytes) / (1 << 20), options.memory_mb, io::spill_directory(options.spill_dir));
      }
    }
    out.narrow(0, static_cast<int64_t>(start), part.size(0)).copy_(part);
  }
  return out;
}

}  // namespace ptq::data
