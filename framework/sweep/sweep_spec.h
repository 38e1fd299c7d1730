// A sweep: one base experiment config, varied over axes of dotted config keys, times seeds.
//
//   name: fmnist_table                 # default: the sweep file's stem
//   config: ../../configs/qdrop/fmnist_resnet8.yaml  # relative to this file; or a `config` axis
//   set: {threads: 1, eval.limit: 0}   # dotted keys applied to every run
//   grid:                              # the product of these axes
//     config: [../../configs/qdrop/fmnist_resnet8.yaml, ../../configs/brecq/fmnist_resnet8.yaml]
//     method.p: [0.5, 1.0]
//   zip:                               # each entry's lists vary together (equal lengths)
//     - {quant.weight.bits: [4, 2], quant.act.bits: [4, 2]}
//   seeds: [1005, 1006, 1007]          # sets `seed`; crossed with every point
//   exclude: [{method.p: 1.0, config: ../../configs/brecq/fmnist_resnet8.yaml}]
//   include: [{method.p: 0.25}]        # extra points (also crossed with the seeds unless they set seed)
//   output: runs/sweeps                # run folders: <output>/<name>/<hash>/
//   store: runs/results.sqlite         # the results store (this is the default)
//   jobs: 1                            # concurrent runs (threads are split between them)
//   threads: 0                         # threads for all jobs together (0 = all cores)
//   slurm: {...}                       # see slurm_launcher.h
//
// Points are the grid product × the zip groups × seeds, minus excluded ones, plus includes;
// points with the same resolved config (same run hash) are one run. Every point is loaded and
// validated (unknown keys, ranges, method options) before anything runs. The sweep file is a
// ptq config itself: `_base_` inheritance and --set overrides work, unknown keys are errors.
#pragma once

#include "framework/config/config.h"

#include <nlohmann/json.hpp>

#include <string>
#include <utility>
#include <vector>

namespace ptq {

// Where sweeps record, and `ptq results` / `ptq table` read, unless told otherwise.
inline constexpr const char* kDefaultStore = "runs/results.sqlite";

struct SweepPoint {
  std::string config_path;               // the experiment config file
  std::vector<std::string> overrides;    // "key=value" (YAML values), set: first, then the point's
  nlohmann::json swept = nlohmann::json::object();  // the point's own values: {"method.p": 0.5, "seed": 1005}
  config::Config resolved;               // config_path with the overrides applied
  std::string hash;                      // run_hash(resolved)
  std::string short_hash;                // its first 16 hex digits: the run folder's name
};

struct SlurmSpec {
  std::string partition, time = "04:00:00", mem, account;
  int cpus_per_task = 2;
  int gpus = 0;
  int max_parallel = 0;                  // %N throttle of the job array (0 = none)
  std::vector<std::string> extra;        // further #SBATCH lines, e.g. "--qos=short"
};

struct SweepSpec {
  std::string name;
  std::string file;                      // the sweep file
  std::string output = "runs/sweeps";
  std::string store = kDefaultStore;
  int jobs = 1;
  int threads = 0;
  SlurmSpec slurm;
  std::vector<SweepPoint> points;

  // <output>/<name>: where the run folders and the sweep's lock live.
  std::string root() const;
};

// Reads, expands and validates a sweep file (with --set style overrides of the sweep file).
SweepSpec load_sweep(const std::string& path, const std::vector<std::string>& overrides = {});

// "key=value" with the value written as one-line YAML (quoted strings stay quoted).
std::string override_string(const std::string& key, const YAML::Node& value);

}  // namespace ptq
