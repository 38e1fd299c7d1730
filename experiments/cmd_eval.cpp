// ptq eval CONFIG [--set ...] — FP accuracy and throughput of the configured model.
#include "experiments/cli_args.h"
#include "experiments/commands.h"
#include "framework/config/config.h"
#include "framework/core/runtime.h"
#include "framework/deploy/packed_model.h"
#include "framework/experiment/evaluate.h"
#include "framework/experiment/experiment_spec.h"
#include "framework/experiment/sources.h"

#include <iostream>

namespace ptq::cli {
namespace {

int eval_packed(const std::string& path, const std::vector<std::string>& sets) {
  const auto pm = load_packed_model(path);
  const auto& info = pm.loaded.info;
  auto overrides = info.overrides;
  overrides.insert(overrides.end(), sets.begin(), sets.end());
  const auto spec = spec_from_config(config::Config::from_string(info.config_yaml, path, overrides));
  const int threads = configure_threads(spec.threads);
  const auto data = load_datasets(spec);
  const auto r = evaluate(*pm.loaded.model, *data.test, spec.eval.batch_size, spec.eval.limit);
  std::cout << fmt::format("{} packed {} ({} packed layers): top-1 {:.2f}%  loss {:.4f}  {} images  {:.0f} img/s ({} "
                           "threads)\n",
                           spec.model.arch, info.variant, pm.layers.size(), r.top1, r.loss, r.images,
                           r.images_per_second(), threads);
  return 0;
}

}  // namespace

int cmd_eval(const Argv& argv) {
  const auto a = parse_args("eval", argv, {{"packed"}, {"set"}, {}});
  const bool packed = !a.value("packed").empty();
  if (a.flag("help") || a.positional.size() != (packed ? 0u : 1u)) {
    std::cout << "usage: ptq eval CONFIG.yaml [--set key.path=value]...\n"
                 "       ptq eval --packed PACKED.safetensors [--set key.path=value]...\n\n"
                 "Loads (or trains, with model.weights: train) the config's FP model and reports test\n"
                 "top-1, loss and images/s. Quantisation settings are ignored.\n"
                 "With --packed: runs a packed model written by `ptq export` (its config travels in the\n"
                 "file; --set changes e.g. data.root or eval.limit) with the packed kernels.\n";
    return a.flag("help") ? 0 : 2;
  }
  if (packed) return eval_packed(a.value("packed"), a.all("set"));
  const auto cfg = config::Config::load(a.positional[0], a.all("set"));
  const auto spec = spec_from_config(cfg);
  const int threads = configure_threads(spec.threads);
  const auto data = load_datasets(spec);
  auto model = load_fp_model(spec, data);
  const auto r = evaluate(*model, *data.test, spec.eval.batch_size, spec.eval.limit);
  std::cout << fmt::format("{} FP: top-1 {:.2f}%  loss {:.4f}  {} images  {:.0f} img/s ({} threads)\n", spec.model.arch,
                           r.top1, r.loss, r.images, r.images_per_second(), threads);
  return 0;
}

}  // namespace ptq::cli
