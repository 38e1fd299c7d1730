// ptq run CONFIG [--set key.path=value]... — the main job: build, calibrate, quantise, evaluate.
#include "experiments/cli_args.h"
#include "experiments/commands.h"
#include "framework/config/config.h"
#include "framework/experiment/experiment.h"

#include <iostream>

namespace ptq::cli {

int cmd_run(const Argv& argv, const Argv& full_argv) {
  const auto a = parse_args("run", argv, {{"run-dir"}, {"set"}, {}});
  if (a.flag("help") || a.positional.size() != 1) {
    std::cout << "usage: ptq run CONFIG.yaml [--set key.path=value]... [--run-dir DIR]\n\n"
                 "Builds the configured model, loads or trains its FP weights, draws the calibration set,\n"
                 "applies the quantisation method and evaluates FP and quantised top-1 on the test set.\n"
                 "Results go to runs/<config>/<timestamp>/ (config.yaml, argv.txt, env.json, run.log,\n"
                 "metrics.json). --set overrides any config key, e.g. --set quant.weight.bits=2. --run-dir\n"
                 "names the run directory itself (ptq sweep uses it).\n";
    return a.flag("help") ? 0 : 2;
  }
  const auto cfg = config::Config::load(a.positional[0], a.all("set"));
  const auto result = run_experiment(cfg, full_argv, a.value("run-dir"));
  std::cout << "\n" << results_table(result.metrics) << "\nrun directory: " << result.run_dir << "\n";
  return 0;
}

}  // namespace ptq::cli
