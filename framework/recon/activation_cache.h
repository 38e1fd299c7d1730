// ActivationCache: per-sample tensors of the calibration set that one reconstruction step
// needs (float and quantised inputs of a group, its float outputs, loss weights, ...), each
// an entry of N rows. Entries live in memory while the cache's total stays within a budget
// and are spilled to an (unlinked, so never left behind) file beyond it; rows are then read
// back with pread when a batch is sampled. Entries are released as soon as a group is done,
// so memory stays at a few activation sets however deep the network is (the official
// implementations keep every cache alive and grow until they run out of memory).
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace ptq {

struct CacheOptions {
  int64_t memory_mb = 4096;  // in-memory budget for all entries together
  std::string spill_dir;     // where spilled entries go; "" = $TMPDIR or /tmp
};

class ActivationCache {
 public:
  explicit ActivationCache(CacheOptions options = {});
  ~ActivationCache();
  ActivationCache(const ActivationCache&) = delete;
  ActivationCache& operator=(const ActivationCache&) = delete;

  // Creates entry `name` of `rows` rows shaped `row_shape` (float32): in memory when it fits
  // the budget, otherwise on disk. Replaces an existing entry of that name.
  void create(const std::string& name, int64_t rows, at::IntArrayRef row_shape);
  // Writes rows [begin, begin + values.size(0)).
  void write(const std::string& name, int64_t begin, const torch::Tensor& values);
  // Creates `name` and fills it batch by batch: fn(begin, count) returns rows [begin, begin+count).
  void fill(const std::string& name, int64_t rows, int64_t batch,
            const std::function<torch::Tensor(int64_t begin, int64_t count)>& fn);

  // Rows at `indices` (int64, any order, repeats allowed), as a new tensor.
  torch::Tensor gather(const std::string& name, const torch::Tensor& indices) const;
  // Rows [begin, begin + count) (a view for in-memory entries).
  torch::Tensor slice(const std::string& name, int64_t begin, int64_t count) const;

  // The whole in-memory entry as one tensor (undefined for a spilled one), for fused readers.
  torch::Tensor in_memory(const std::string& name) const;

  bool has(const std::string& name) const { return entries_.count(name) > 0; }
  std::vector<std::string> names() const;
  int64_t rows(const std::string& name) const;
  bool on_disk(const std::string& name) const;
  void release(const std::string& name);
  void rename(const std::string& from, const std::string& to);
  // `name` becomes a second name of `existing`'s rows (no copy; the data is freed with its
  // last name). For entries that are equal by construction, e.g. the float and quantised
  // inputs of the first unit, both the raw images.
  void alias(const std::string& name, const std::string& existing);
  // Whether two names refer to the same rows (an alias).
  bool same_data(const std::string& a, const std::string& b) const;

  int64_t memory_bytes() const { return memory_bytes_; }
  int64_t peak_memory_bytes() const { return peak_memory_bytes_; }
  int64_t disk_bytes() const { return disk_bytes_; }
  int64_t spilled_entries() const { return spilled_; }

 private:
  struct Entry {
    std::vector<int64_t> row_shape;
    int64_t rows = 0, row_bytes = 0;
    torch::Tensor data;  // in memory
    int fd = -1;         // on disk
  };
  const Entry& entry(const std::string& name) const;
  void drop(Entry& e);

  CacheOptions options_;
  std::map<std::string, std::shared_ptr<Entry>> entries_;
  int64_t memory_bytes_ = 0, peak_memory_bytes_ = 0, disk_bytes_ = 0, spilled_ = 0;
};

}  // namespace ptq
