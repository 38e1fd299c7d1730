// ptq train CONFIG [--out FILE] [--set ...] — FP training of the configured zoo model.
#include "experiments/cli_args.h"
#include "experiments/commands.h"
#include "framework/config/config.h"
#include "framework/core/logging.h"
#include "framework/core/runtime.h"
#include "framework/experiment/evaluate.h"
#include "framework/experiment/experiment_spec.h"
#include "framework/experiment/sources.h"
#include "framework/nn/weights.h"

#include <iostream>

namespace ptq::cli {

int cmd_train(const Argv& argv, const Argv&) {
  const auto a = parse_args("train", argv, {{"out"}, {"set"}, {}});
  if (a.flag("help") || a.positional.size() != 1) {
    std::cout << "usage: ptq train CONFIG.yaml [--out model.safetensors] [--set key.path=value]...\n\n"
                 "Trains the config's model (model.*) on its data set (data.*) with train.* options, prints\n"
                 "test top-1 and writes the weights as safetensors (torchvision names) to --out\n"
                 "(default: <config-name>.safetensors). Always trains, ignoring the model cache.\n";
    return a.flag("help") ? 0 : 2;
  }
  const auto cfg = config::Config::load(a.positional[0], a.all("set"));
  auto spec = spec_from_config(cfg);
  configure_threads(spec.threads);
  const std::string out = a.value("out", spec.name + ".safetensors");
  spec.model.weights = "random";
  const auto data = load_datasets(spec);
  auto model = load_fp_model(spec, data);
  const auto r = train_classifier(*model, *data.train, spec.train);
  const auto ev = evaluate(*model, *data.test, spec.eval.batch_size, spec.eval.limit);
  save_model_weights(*model, out);
  std::cout << fmt::format("trained {} in {:.0f}s: train top-1 {:.2f}%, test top-1 {:.2f}% (loss {:.4f}); wrote {}\n",
                           spec.model.arch, r.seconds, r.train_top1, ev.top1, ev.loss, out);
  return 0;
}

}  // namespace ptq::cli
