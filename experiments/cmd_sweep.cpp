// ptq sweep SWEEP.yaml [--set k=v]... [--dry-run] [--jobs N] [--threads N] [--store DB]
//                      [--launcher local|slurm] — a grid of runs, resumable, recorded in the store.
#include "experiments/cli_args.h"
#include "experiments/commands.h"
#include "framework/core/check.h"
#include "framework/results/results_store.h"
#include "framework/sweep/local_launcher.h"
#include "framework/sweep/slurm_launcher.h"
#include "framework/sweep/sweep_spec.h"

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <iostream>

namespace ptq::cli {

int cmd_sweep(const Argv& argv) {
  const auto a = parse_args("sweep", argv, {{"jobs", "threads", "store", "launcher"}, {"set", "only"}, {"dry-run", "no-store", "help"}});
  if (a.flag("help") || a.positional.size() != 1) {
    std::cout << "usage: ptq sweep SWEEP.yaml [--set key=value]... [--dry-run] [--jobs N] [--threads N]\n"
                 "                 [--store FILE.sqlite] [--launcher local|slurm]\n\n"
                 "Runs every point of a sweep (a base config × axes of config keys × seeds; see\n"
                 "experiments/sweeps/README.md) that has not finished yet, each in the folder named by the\n"
                 "hash of its resolved config, and records every finished run in the results store\n"
                 "(default runs/results.sqlite). Started again after an interruption, it runs only what is\n"
                 "missing. --dry-run lists the points and their state. --jobs N runs N at a time, splitting\n"
                 "--threads (default: all cores) between them. --launcher slurm submits the pending points\n"
                 "as a Slurm job array instead; collect their results with ptq results --collect.\n"
                 "--set overrides keys of the sweep file itself. --only HASH runs one point and --no-store\n"
                 "leaves the store alone (what a Slurm array task does).\n";
    return a.flag("help") ? 0 : 2;
  }
  auto spec = load_sweep(a.positional[0], a.all("set"));
  if (!a.value("store").empty()) spec.store = a.value("store");
  const auto positive = [&](const std::string& name) {
    const std::string v = a.value(name);
    if (v.empty()) return 0;
    char* end = nullptr;
    const long n = std::strtol(v.c_str(), &end, 10);
    PTQ_CHECK(end && *end == '\0' && n >= 1 && n <= 4096, "--{} expects a positive integer, got '{}'", name, v);
    return static_cast<int>(n);
  };
  const std::string launcher = a.value("launcher", "local");
  PTQ_CHECK(launcher == "local" || launcher == "slurm", "--launcher is local or slurm, got '{}'", launcher);
  if (launcher == "slurm") {
    SlurmSubmitOptions so;
    so.sweep_overrides = a.all("set");
    so.dry_run = a.flag("dry-run");
    std::cout << submit_sweep_slurm(spec, so);
    return 0;
  }
  if (a.flag("dry-run")) {
    std::unique_ptr<ResultsStore> store;
    if (std::filesystem::exists(spec.store)) store = std::make_unique<ResultsStore>(spec.store, false);
    std::cout << sweep_plan(spec, store.get());
    return 0;
  }
  LocalLaunchOptions options;
  options.jobs = positive("jobs");
  options.threads = positive("threads");
  options.only = a.all("only");
  options.record = !a.flag("no-store");
  ResultsStore store(options.record ? spec.store : ":memory:");
  const auto report = run_sweep_local(spec, store, options);
  std::cout << "sweep " << spec.name << ": " << report.total << " runs; " << report.already_done
            << " were already done, " << report.ran << " ran now";
  if (report.redone) std::cout << " (" << report.redone << " half-written ones redone)";
  std::cout << ", " << report.failed.size() << " failed\n";
  for (const auto& f : report.failed) std::cout << "  failed: " << f << "\n";
  std::cout << "results: ptq results --store " << spec.store << " --filter sweep=" << spec.name << "\n";
  if (report.interrupted) {
    std::cout << "interrupted: run the same command again to finish the missing runs\n";
    return 130;
  }
  return report.failed.empty() ? 0 : 1;
}

}  // namespace ptq::cli
