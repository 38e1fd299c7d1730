#include "framework/data/dataset.h"

#include "framework/core/check.h"

namespace ptq::data {

void check_indices(const std::vector<int64_t>& indices, int64_t size, const std::string& what) {
  for (const int64_t i : indices) {
    PTQ_CHECK(i >= 0 && i < size,
              "{}: index {} is out of range for a dataset of {} images; hint: indices must lie in "
              "[0, {})",
              what, i, size, size);
  }
}

TensorDataset::TensorDataset(torch::Tensor images, torch::Tensor labels, int64_t num_classes,
                             std::string name)
    : name_(std::move(name)) {
  PTQ_CHECK(images.dim() == 4, "{}: images must be [N, C, H, W], got {} dimensions", name_,
            images.dim());
  PTQ_CHECK(labels.dim() == 1, "{}: labels must be [N], got {} dimensions", name_, labels.dim());
  PTQ_CHECK(images.size(0) == labels.size(0), "{}: {} images but {} labels", name_, images.size(0),
            labels.size(0));
  PTQ_CHECK(images.is_floating_point(), "{}: images must be floating point", name_);
  PTQ_CHECK(!labels.is_floating_point() && labels.scalar_type() != torch::kBool,
            "{}: labels must be integers", name_);
  images_ = images.to(torch::kFloat32).contiguous();
  labels_ = labels.to(torch::kInt64).contiguous();
  const int64_t n = labels_.numel();
  const int64_t lo = n ? labels_.min().item<int64_t>() : 0;
  const int64_t hi = n ? labels_.max().item<int64_t>() : -1;
  PTQ_CHECK(lo >= 0, "{}: labels must be >= 0, found {}", name_, lo);
  num_classes_ = num_classes < 0 ? hi + 1 : num_classes;
  PTQ_CHECK(hi < num_classes_, "{}: label {} does not fit num_classes = {}", name_, hi, num_classes_);
}

std::pair<torch::Tensor, torch::Tensor> TensorDataset::batch(const std::vector<int64_t>& indices) const {
  check_indices(indices, size(), name_);
  const auto idx = torch::tensor(indices, torch::kInt64);
  return {images_.index_select(0, idx), labels_.index_select(0, idx)};
}

std::string TensorDataset::describe() const {
  return fmt::format("TensorDataset({}: {} images [{}, {}, {}], {} classes)", name_, size(),
                     images_.size(1), images_.size(2), images_.size(3), num_classes_);
}

void for_each_batch(const ImageDataset& dataset, int64_t batch_size, const BatchFn& fn) {
  PTQ_CHECK(batch_size > 0, "batch size must be positive, got {}", batch_size);
  const int64_t n = dataset.size();
  std::vector<int64_t> indices;
  for (int64_t start = 0; start < n; start += batch_size) {
    const int64_t end = std::min(n, start + batch_size);
    indices.resize(end - start);
    for (int64_t i = start; i < end; ++i) indices[i - start] = i;
    auto [images, labels] = dataset.batch(indices);
    fn(images, labels);
  }
}

}  // namespace ptq::data
