// ImageNet-style folder dataset: root/<class_name>/<image>.{JPEG,jpg,jpeg}.
//
// Indexing (done once, at load): class directories are the sub-directories of root whose names
// do not start with '.', sorted by name (byte order) -> labels 0..K-1, like torchvision's
// ImageFolder. Within a class, files with a .jpeg/.jpg extension (any case) are collected
// recursively (symlinks followed) and sorted by path, so the order is deterministic. Other
// files are ignored.
//
// Decoding is lazy: batch() reads and decodes only the requested images (in parallel over
// LibTorch's intra-op threads) with libturbojpeg — greyscale and CMYK JPEGs come out RGB, see
// jpeg.h — then applies torchvision's evaluation or training-style transform:
//   evaluation (default):  Resize(resize) -> CenterCrop(crop) -> ToTensor -> Normalize
//   calibration_augment:   RandomResizedCrop(crop, scale, ratio) -> RandomHorizontalFlip(0.5)
//                          -> ToTensor -> Normalize   (resize is not used)
// The augmentation is the calibration augmentation of BRECQ/QDrop-style PTQ. Its randomness
// for image i comes from DataRng(derive_seed(seed, i)): the same (seed, index) always gives
// the same crop and flip, regardless of batch composition, order or thread count. It has the
// same distribution as torchvision but not PyTorch's random stream. Resizing is LibTorch's
// antialiased bilinear (see image_ops.h for the residual difference to PIL).
//
// Options (defaults):
//   root                   (required) dataset folder, e.g. .../imagenet/val
//   resize = 256           shorter side before the centre crop; 0 = no resize
//   crop = 224             output is crop x crop (must be > 0)
//   mean = {0.485, 0.456, 0.406}, std = {0.229, 0.224, 0.225}   ImageNet statistics (RGB)
//   calibration_augment = false
//   seed = 0               augmentation seed (unused without calibration_augment)
//   augment_scale = {0.08, 1.0}, augment_ratio = {3/4, 4/3}     RandomResizedCrop ranges
//
// Errors (ptq::UserError, naming the path): root missing or not a directory; root without
// class directories; a class directory without JPEG images (an error, not a warning: it
// almost always means an incomplete extraction, and torchvision's ImageFolder refuses it too);
// an unreadable or undecodable JPEG — raised by the batch() that touches it, with turbojpeg's
// message.
#pragma once

#include "framework/data/dataset.h"

#include <array>
#include <memory>
#include <string>
#include <vector>

namespace ptq::data {

struct ImageFolderOptions {
  std::string root;                                  // root/<class>/<image>.JPEG (required)
  int64_t resize = 256;                              // shorter side before centre crop; 0 = none
  int64_t crop = 224;                                // centre (or random-resized) crop size
  std::vector<double> mean = {0.485, 0.456, 0.406};  // per RGB channel, on [0, 1] values
  std::vector<double> std = {0.229, 0.224, 0.225};   // per RGB channel
  bool calibration_augment = false;                  // RandomResizedCrop + horizontal flip
  uint64_t seed = 0;                                 // augmentation seed
  std::array<double, 2> augment_scale = {0.08, 1.0};             // RandomResizedCrop area range
  std::array<double, 2> augment_ratio = {3.0 / 4.0, 4.0 / 3.0};  // RandomResizedCrop aspect range
};

class ImageFolderDataset : public ImageDataset {
 public:
  explicit ImageFolderDataset(ImageFolderOptions options);

  int64_t size() const override { return static_cast<int64_t>(files_.size()); }
  int64_t num_classes() const override { return static_cast<int64_t>(classes_.size()); }
  std::pair<torch::Tensor, torch::Tensor> batch(const std::vector<int64_t>& indices) const override;
  std::string describe() const override;

  const std::vector<std::string>& class_names() const { return classes_; }
  const std::string& path(int64_t index) const { return files_.at(index); }
  int64_t label(int64_t index) const { return labels_.at(index); }
  const ImageFolderOptions& options() const { return options_; }

  // One image after the transform: float32 [3, crop, crop], normalised.
  torch::Tensor image(int64_t index) const;

 private:
  ImageFolderOptions options_;
  std::vector<std::string> classes_;
  std::vector<std::string> files_;
  std::vector<int64_t> labels_;
};

std::shared_ptr<ImageFolderDataset> load_image_folder(const ImageFolderOptions& options);

}  // namespace ptq::data
