#include "framework/data/image_folder.h"

#include "framework/core/check.h"
#include "framework/core/strings.h"
#include "framework/data/compressed_file.h"
#include "framework/data/image_ops.h"
#include "framework/data/jpeg.h"
#include "framework/data/rng.h"

#include <algorithm>
#include <filesystem>

namespace ptq::data {

namespace fs = std::filesystem;

namespace {

bool is_jpeg_name(const fs::path& p) {
  const auto ext = to_lower(p.extension().string());
  return ext == ".jpg" || ext == ".jpeg";
}

void validate(const ImageFolderOptions& o) {
  PTQ_CHECK(!o.root.empty(), "image folder: root is empty; hint: set it to an ImageNet-style "
                             "folder laid out as root/<class>/<image>.JPEG");
  PTQ_CHECK(o.crop > 0, "image folder '{}': crop must be positive, got {}", o.root, o.crop);
  PTQ_CHECK(o.resize >= 0, "image folder '{}': resize must be >= 0 (0 = no resize), got {}", o.root,
            o.resize);
  PTQ_CHECK(o.mean.size() == 3 && o.std.size() == 3,
            "image folder '{}': mean and std need 3 values (R, G, B), got {} and {}", o.root,
            o.mean.size(), o.std.size());
  for (const double s : o.std) PTQ_CHECK(s > 0, "image folder '{}': std values must be > 0", o.root);
  const auto& sc = o.augment_scale;
  const auto& ra = o.augment_ratio;
  PTQ_CHECK(sc[0] > 0 && sc[0] <= sc[1] && sc[1] <= 1,
            "image folder '{}': augment_scale must satisfy 0 < lo <= hi <= 1, got ({}, {})", o.root,
            sc[0], sc[1]);
  PTQ_CHECK(ra[0] > 0 && ra[0] <= ra[1],
            "image folder '{}': augment_ratio must satisfy 0 < lo <= hi, got ({}, {})", o.root, ra[0],
            ra[1]);
}

}  // namespace

ImageFolderDataset::ImageFolderDataset(ImageFolderOptions options) : options_(std::move(options)) {
  validate(options_);
  const fs::path root(options_.root);
  std::error_code ec;
  PTQ_CHECK(fs::exists(root, ec), "image folder '{}' does not exist; hint: set the dataset root to "
                                  "a folder laid out as root/<class>/<image>.JPEG",
            options_.root);
  PTQ_CHECK(fs::is_directory(root, ec), "image folder '{}' is not a directory", options_.root);

  for (const auto& entry : fs::directory_iterator(root)) {
    const auto name = entry.path().filename().string();
    if (entry.is_directory() && !starts_with(name, ".")) classes_.push_back(name);
  }
  std::sort(classes_.begin(), classes_.end());
  PTQ_CHECK(!classes_.empty(),
            "image folder '{}' has no class directories; hint: expected root/<class>/<image>.JPEG "
            "(one sub-directory per class)",
            options_.root);

  for (size_t label = 0; label < classes_.size(); ++label) {
    const fs::path dir = root / classes_[label];
    std::vector<std::string> found;
    size_t others = 0;
    for (const auto& entry :
         fs::recursive_directory_iterator(dir, fs::directory_options::follow_directory_symlink)) {
      if (!entry.is_regular_file()) continue;
      if (is_jpeg_name(entry.path())) found.push_back(entry.path().string());
      else ++others;
    }
    PTQ_CHECK(!found.empty(),
              "class directory '{}' contains no JPEG images (.jpg/.jpeg, any case; {} other files "
              "ignored); hint: remove the directory or complete the extraction",
              dir.string(), others);
    std::sort(found.begin(), found.end());
    for (auto& f : found) {
      files_.push_back(std::move(f));
      labels_.push_back(static_cast<int64_t>(label));
    }
  }
}

torch::Tensor ImageFolderDataset::image(int64_t index) const {
  check_indices({index}, size(), options_.root);
  const auto& o = options_;
  auto x = read_jpeg(files_[index]).permute({2, 0, 1}).to(torch::kFloat32);  // [3,H,W], 0..255
  const int64_t h = x.size(1), w = x.size(2);
  if (o.calibration_augment) {
    DataRng rng(derive_seed(o.seed, static_cast<uint64_t>(index)));
    const auto box = random_resized_crop_box(h, w, rng, o.augment_scale, o.augment_ratio);
    x = x.slice(1, box.top, box.top + box.height).slice(2, box.left, box.left + box.width);
    x = resize_pil_like(x, o.crop, o.crop);
    if (rng.uniform() < 0.5) x = x.flip({2});
  } else {
    if (o.resize > 0) {
      const auto [nh, nw] = shorter_side_size(h, w, o.resize);
      x = resize_pil_like(x, nh, nw);
    }
    x = center_crop(x, o.crop);
  }
  return to_unit_normalized(x, o.mean, o.std).contiguous();
}

std::pair<torch::Tensor, torch::Tensor> ImageFolderDataset::batch(
    const std::vector<int64_t>& indices) const {
  check_indices(indices, size(), options_.root);
  const int64_t n = static_cast<int64_t>(indices.size());
  auto images = torch::empty({n, 3, options_.crop, options_.crop}, torch::kFloat32);
  auto labels = torch::empty({n}, torch::kInt64);
  auto* label_ptr = labels.data_ptr<int64_t>();
  for (int64_t i = 0; i < n; ++i) label_ptr[i] = labels_[indices[i]];
  // Decoding dominates: spread images over threads (exceptions are rethrown here).
  at::parallel_for(0, n, 1, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) images[i].copy_(image(indices[i]));
  });
  return {images, labels};
}

std::string ImageFolderDataset::describe() const {
  const auto& o = options_;
  const std::string transform =
      o.calibration_augment
          ? fmt::format("RandomResizedCrop({}) + flip, seed {}", o.crop, o.seed)
          : (o.resize > 0 ? fmt::format("Resize({}) + CenterCrop({})", o.resize, o.crop)
                          : fmt::format("CenterCrop({})", o.crop));
  return fmt::format("ImageFolder({}: {} images, {} classes, {})", o.root, size(), num_classes(),
                     transform);
}

std::shared_ptr<ImageFolderDataset> load_image_folder(const ImageFolderOptions& options) {
  return std::make_shared<ImageFolderDataset>(options);
}

}  // namespace ptq::data
