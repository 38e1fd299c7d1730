// ptq plot TABLE.yaml [--store DB] [--set k=v]... [--out BASE]   metric versus bit width per method
// ptq plot --run RUN_DIR [--variant NAME] --out BASE             one run's per-unit diagnostics
#include "experiments/cli_args.h"
#include "experiments/commands.h"
#include "framework/core/check.h"
#include "framework/results/paper_table.h"
#include "framework/results/plot.h"

#include <iostream>

namespace ptq::cli {

int cmd_plot(const Argv& argv) {
  const auto a = parse_args("plot", argv, {{"store", "out", "run", "variant"}, {"set"}, {"help"}});
  const bool run_mode = !a.value("run").empty();
  if (a.flag("help") || (run_mode ? !a.positional.empty() : a.positional.size() != 1)) {
    std::cout << "usage: ptq plot TABLE.yaml [--store FILE.sqlite] [--set key=value]... [--out BASE]\n"
                 "       ptq plot --run RUN_DIR [--variant NAME] --out BASE\n\n"
                 "Draws with gnuplot (SVG and PNG, plus the .dat and .gp it used). With a table spec: the\n"
                 "metric versus the table's columns (e.g. bit width), one line per row (method), ±std error\n"
                 "bars over seeds and the FP level. With --run: the reconstruction loss of every group over\n"
                 "its iterations (one variant; default the last) and the SQNR per unit of every variant.\n";
    return a.flag("help") ? 0 : 2;
  }
  std::vector<std::string> images;
  if (run_mode) {
    PTQ_CHECK(!a.value("out").empty(), "ptq plot --run needs --out BASE (e.g. --out plots/qdrop-seed1005)");
    images = plot_run(a.value("run"), a.value("out"), a.value("variant"));
  } else {
    auto spec = load_table_spec(a.positional[0], a.all("set"));
    if (!a.value("store").empty()) spec.store = a.value("store");
    if (!a.value("out").empty()) spec.out = a.value("out");
    PTQ_CHECK(!spec.out.empty(), "ptq plot needs an output name: set `out:` in {} or pass --out BASE", spec.file);
    ResultsStore store(spec.store, false);
    images = plot_table(build_table(spec, store.query(spec.filter)), spec.out);
  }
  for (const auto& p : images) std::cout << "wrote " << p << "\n";
  return 0;
}

}  // namespace ptq::cli
