// Fashion-MNIST (Zalando, 28x28 greyscale clothing, 10 classes; 60,000 train / 10,000 test)
// from the four IDX files shipped by Debian's dataset-fashion-mnist package:
//   <root>/{train,t10k}-images-idx3-ubyte.gz, <root>/{train,t10k}-labels-idx1-ubyte.gz
// (plain, un-gzipped files under the same names without ".gz" are accepted too).
//
// The raw uint8 images stay in memory (47 MB for the training set, loaded in well under a
// second); each batch() converts only the requested images:
//   x/255 -> optional bilinear resize (antialiased, PIL-like, see image_ops.h) ->
//   optional (x - 0.2860) / 0.3530 -> optional replication of the grey channel to 3 channels.
// So even resize = 224 + three_channels costs memory per batch, not per dataset.
//
// Options (defaults):
//   root = "/usr/share/datasets/fashion-mnist"
//   train = true            training split (60,000) or test split "t10k" (10,000)
//   normalize = true        mean 0.2860, std 0.3530 (the training set's statistics)
//   resize = 0              0 keeps 28x28, else resize x resize
//   three_channels = false  [B,3,H,W] for models built for RGB input
//   limit = 0               keep only the first `limit` images (0 = all; larger than the
//                           split = all)
// Errors: a missing file names the expected path and the hint
// "apt-get install dataset-fashion-mnist (or set the root)"; IDX errors name the file;
// image and label files that disagree on the count name both files.
#pragma once

#include "framework/data/dataset.h"

#include <memory>
#include <string>
#include <vector>

namespace ptq::data {

struct FashionMnistOptions {
  std::string root = "/usr/share/datasets/fashion-mnist";  // folder with the four IDX files
  bool train = true;            // true: 60,000 training images; false: 10,000 test images
  bool normalize = true;        // (x - 0.2860) / 0.3530 after scaling to [0, 1]
  int64_t resize = 0;           // 0 keeps 28x28; else bilinear resize to resize x resize
  bool three_channels = false;  // replicate the grey channel for torchvision-shaped models
  int64_t limit = 0;            // 0 = all images; else the first `limit`
};

constexpr double kFashionMnistMean = 0.2860;
constexpr double kFashionMnistStd = 0.3530;

std::shared_ptr<ImageDataset> load_fashion_mnist(const FashionMnistOptions& options = {});

// "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
// "Ankle boot" — index = label.
std::vector<std::string> fashion_mnist_class_names();

}  // namespace ptq::data
