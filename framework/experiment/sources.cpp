#include "framework/experiment/sources.h"

#include "framework/core/check.h"
#include "framework/core/logging.h"
#include "framework/core/runtime.h"
#include "framework/data/fashion_mnist.h"
#include "framework/data/image_folder.h"
#include "framework/nn/weights.h"

#include <cstdlib>
#include <filesystem>

namespace ptq {
namespace {

uint64_t fnv1a(const std::string& s) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  return h;
}

void check_shape(const ExperimentSpec& spec, int64_t channels, int64_t size, const std::string& what) {
  const auto& m = spec.model.options;
  PTQ_CHECK(m.in_channels == channels && m.image_size == size,
            "model.in_channels / model.image_size are {} / {} but {} gives {}-channel {}x{} images; set "
            "model.in_channels: {} and model.image_size: {}",
            m.in_channels, m.image_size, what, channels, size, size, channels, size);
}

}  // namespace

Datasets load_datasets(const ExperimentSpec& spec) {
  const auto& d = spec.data;
  Datasets out;
  if (d.dataset == "fashion_mnist") {
    data::FashionMnistOptions o;
    o.root = d.root;
    o.resize = d.resize;
    o.three_channels = d.three_channels;
    o.train = true;
    out.train = data::load_fashion_mnist(o);
    o.train = false;
    out.test = data::load_fashion_mnist(o);
    out.calibration = out.train;
    check_shape(spec, d.three_channels ? 3 : 1, d.resize ? d.resize : 28,
                "data.dataset fashion_mnist (data.resize, data.three_channels)");
  } else {
    data::ImageFolderOptions o;
    o.resize = d.resize;
    o.crop = d.crop;
    o.root = (std::filesystem::path(d.root) / d.train_dir).string();
    out.train = data::load_image_folder(o);
    if (d.calibration_augment) {
      auto a = o;
      a.calibration_augment = true;
      a.seed = spec.calibration.seed;
      out.calibration = data::load_image_folder(a);
    } else {
      out.calibration = out.train;
    }
    o.root = (std::filesystem::path(d.root) / d.val_dir).string();
    out.test = data::load_image_folder(o);
    check_shape(spec, 3, d.crop, "data.dataset image_folder (data.crop)");
  }
  PTQ_CHECK(out.test->num_classes() <= spec.model.options.num_classes,
            "the test set has {} classes but model.num_classes is {}", out.test->num_classes(),
            spec.model.options.num_classes);
  return out;
}

std::string model_cache_dir() {
  if (const char* p = std::getenv("PTQ_CACHE_DIR"); p && *p) return p;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::string(x) + "/ptq";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.cache/ptq";
  return "/tmp/ptq-cache";
}

QuantModel load_fp_model(const ExperimentSpec& spec, const Datasets& data, bool* trained) {
  if (trained) *trained = false;
  seed_everything(spec.train.seed);
  auto model = create_model(spec.model.arch, spec.model.options);
  const auto& w = spec.model.weights;
  if (w == "random") {
    log_info("model {}: seeded random weights (seed {})", spec.model.arch, spec.train.seed);
  } else if (w == "train") {
    const auto& m = spec.model.options;
    const auto& t = spec.train;
    const std::string key = fmt::format(
        "v1|{}|nc{}|ic{}|is{}|si{}|{}|{}|rs{}|3c{}|ep{}|bs{}|lr{}|mo{}|wd{}|seed{}|threads{}", spec.model.arch,
        m.num_classes, m.in_channels, m.image_size, m.small_input, spec.data.dataset, spec.data.root, spec.data.resize,
        spec.data.three_channels, t.epochs, t.batch_size, t.lr, t.momentum, t.weight_decay, t.seed,
        torch::get_num_threads());
    const std::string path = fmt::format("{}/models/{}-{:016x}.safetensors", model_cache_dir(), spec.model.arch, fnv1a(key));
    if (std::filesystem::exists(path)) {
      log_info("model {}: reusing trained weights {}", spec.model.arch, path);
      load_model_weights(*model, path);
    } else {
      log_info("model {}: training on {} ({} epochs); weights will be cached in {}", spec.model.arch,
               data.train->describe(), t.epochs, path);
      auto r = train_classifier(*model, *data.train, t);
      log_info("model {}: trained in {:.0f}s, last-epoch train loss {:.3f}, train top-1 {:.2f}%", spec.model.arch,
               r.seconds, r.final_loss, r.train_top1);
      save_model_weights(*model, path, {{"ptq.train_key", key}});
      if (trained) *trained = true;
    }
  } else {
    load_model_weights(*model, w, spec.model.allow_partial_load);
    log_info("model {}: weights from {}", spec.model.arch, w);
  }
  model->eval();
  return model;
}

}  // namespace ptq
