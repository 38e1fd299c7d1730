// ptq eval CONFIG [--set ...] — FP accuracy and throughput of the configured model.
#include "experiments/cli_args.h"
#include "experiments/commands.h"
#include "framework/config/config.h"
#include "framework/core/runtime.h"
#include "framework/experiment/evaluate.h"
#include "framework/experiment/experiment_spec.h"
#include "framework/experiment/sources.h"

#include <iostream>

namespace ptq::cli {

int cmd_eval(const Argv& argv) {
  const auto a = parse_args("eval", argv, {{}, {"set"}, {}});
  if (a.flag("help") || a.positional.size() != 1) {
    std::cout << "usage: ptq eval CONFIG.yaml [--set key.path=value]...\n\n"
                 "Loads (or trains, with model.weights: train) the config's FP model and reports test\n"
                 "top-1, loss and images/s. Quantisation settings are ignored.\n";
    return a.flag("help") ? 0 : 2;
  }
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
