#include "framework/data/fashion_mnist.h"

#include "framework/core/check.h"
#include "framework/data/idx.h"
#include "framework/data/image_ops.h"

#include <filesystem>

namespace ptq::data {

namespace {

class FashionMnistDataset : public ImageDataset {
 public:
  FashionMnistDataset(torch::Tensor images, torch::Tensor labels, FashionMnistOptions options)
      : images_(std::move(images)), labels_(std::move(labels)), options_(std::move(options)) {}

  int64_t size() const override { return images_.size(0); }
  int64_t num_classes() const override { return 10; }

  std::pair<torch::Tensor, torch::Tensor> batch(const std::vector<int64_t>& indices) const override {
    check_indices(indices, size(), "Fashion-MNIST");
    const auto idx = torch::tensor(indices, torch::kInt64);
    auto x = images_.index_select(0, idx).unsqueeze(1).to(torch::kFloat32);  // [B,1,28,28], 0..255
    if (options_.resize > 0) x = resize_pil_like(x, options_.resize, options_.resize);
    const double mean = options_.normalize ? kFashionMnistMean : 0.0;
    const double std = options_.normalize ? kFashionMnistStd : 1.0;
    x = to_unit_normalized(x, {mean}, {std});
    if (options_.three_channels) x = x.expand({-1, 3, -1, -1}).contiguous();
    return {x, labels_.index_select(0, idx)};
  }

  std::string describe() const override {
    const int64_t side = options_.resize > 0 ? options_.resize : 28;
    return fmt::format("Fashion-MNIST({} split, {} images [{}, {}, {}], {} from {})",
                       options_.train ? "train" : "test", size(), options_.three_channels ? 3 : 1,
                       side, side, options_.normalize ? "normalised" : "unnormalised", options_.root);
  }

 private:
  torch::Tensor images_;  // uint8 [N, 28, 28]
  torch::Tensor labels_;  // int64 [N]
  FashionMnistOptions options_;
};

// <root>/<name>.gz, or the un-gzipped <root>/<name> when only that exists.
std::string locate(const std::string& root, const std::string& name) {
  const auto gz = std::filesystem::path(root) / (name + ".gz");
  const auto plain = std::filesystem::path(root) / name;
  std::error_code ec;
  if (std::filesystem::exists(gz, ec)) return gz.string();
  if (std::filesystem::exists(plain, ec)) return plain.string();
  PTQ_FAIL("Fashion-MNIST file '{}' not found; hint: apt-get install dataset-fashion-mnist (or set "
           "the root to a folder holding the IDX files)",
           gz.string());
}

}  // namespace

std::shared_ptr<ImageDataset> load_fashion_mnist(const FashionMnistOptions& options) {
  PTQ_CHECK(options.resize >= 0, "Fashion-MNIST resize must be >= 0 (0 keeps 28x28), got {}",
            options.resize);
  PTQ_CHECK(options.limit >= 0, "Fashion-MNIST limit must be >= 0 (0 = all), got {}", options.limit);
  const std::string split = options.train ? "train" : "t10k";
  const auto images_path = locate(options.root, split + "-images-idx3-ubyte");
  const auto labels_path = locate(options.root, split + "-labels-idx1-ubyte");
  auto images = read_idx(images_path);
  auto labels = read_idx(labels_path);
  PTQ_CHECK(images.dim() == 3 && images.size(1) == 28 && images.size(2) == 28,
            "Fashion-MNIST images '{}' should be [N, 28, 28], got {} dimensions", images_path,
            images.dim());
  PTQ_CHECK(labels.dim() == 1, "Fashion-MNIST labels '{}' should be [N], got {} dimensions",
            labels_path, labels.dim());
  PTQ_CHECK(images.size(0) == labels.size(0), "Fashion-MNIST: '{}' holds {} images but '{}' holds {} labels",
            images_path, images.size(0), labels_path, labels.size(0));
  PTQ_CHECK(labels.numel() == 0 || labels.max().item<int64_t>() < 10,
            "Fashion-MNIST labels '{}' contain a label >= 10", labels_path);
  if (options.limit > 0 && options.limit < images.size(0)) {
    images = images.slice(0, 0, options.limit).clone();
    labels = labels.slice(0, 0, options.limit);
  }
  return std::make_shared<FashionMnistDataset>(images, labels.to(torch::kInt64), options);
}

std::vector<std::string> fashion_mnist_class_names() {
  return {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
          "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
}

}  // namespace ptq::data
