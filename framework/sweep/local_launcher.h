// Runs a sweep's points on this machine, resumably.
//
// Each point's run folder is <output>/<sweep>/<hash16>/. Before anything runs the launcher
// looks at every folder: a complete run (metrics.json "finished": true) is done and is
// recorded into the results store if it is not there yet (a sweep killed between the run and
// the store write loses nothing); a folder without a complete run — killed mid-way, power
// loss, a failed run — is half-written: it is moved to <root>/.incomplete/ (its logs kept) and
// run again. So a sweep started again after any interruption runs exactly what is missing.
//
// Runs are child processes (`ptq run CONFIG --set ... --run-dir FOLDER`, output in
// FOLDER/stdout.log), up to `jobs` at a time, each with threads/jobs LibTorch threads. Children
// die with the launcher (PR_SET_PDEATHSIG), so a killed sweep leaves no orphan writing into a
// folder the next sweep moves aside. One launcher per sweep at a time: it holds <root>/.lock
// alone; Slurm array tasks (`only`) share <root>/.lock and each holds <root>/.lock-<hash>, so
// they run side by side but never beside a full launcher of the same sweep.
// Progress: one bar for the sweep (runs done/total, ETA) above the last line of the current
// run's own progress, redrawn on a terminal; a line per finished run otherwise.
#pragma once

#include "framework/results/results_store.h"
#include "framework/sweep/sweep_spec.h"

#include <string>
#include <vector>

namespace ptq {

// done: its folder holds a complete run; recorded: no complete run here, but `store` already
// records a run with its hash — made by another sweep, collected from a plain `ptq run` folder,
// or on another machine (identical runs are never repeated); both count as done.
enum class RunState { done, recorded, pending, half_written };
const char* to_string(RunState s);
inline bool is_done(RunState s) { return s == RunState::done || s == RunState::recorded; }

RunState run_state(const SweepSpec& spec, const SweepPoint& point, ResultsStore* store = nullptr);
std::string run_folder(const SweepSpec& spec, const SweepPoint& point);

// The command line that runs one point into its folder with `threads` threads.
std::vector<std::string> point_command(const std::string& ptq_binary, const SweepSpec& spec,
                                       const SweepPoint& point, int threads);

// `ptq sweep --dry-run`: one line per point (state, hash, swept values) and the counts.
std::string sweep_plan(const SweepSpec& spec, ResultsStore* store = nullptr);

struct LocalLaunchOptions {
  std::string ptq_binary;  // default: this executable (/proc/self/exe)
  int jobs = 0;            // 0: the sweep file's
  int threads = 0;         // 0: the sweep file's, else all cores
  bool progress = true;
  std::vector<std::string> only;  // run only these points (16-digit hashes): a Slurm array task
  bool record = true;             // false: write run folders only (the store is collected later)
};

struct SweepReport {
  size_t total = 0, already_done = 0, ran = 0, redone = 0;
  std::vector<std::string> failed;  // "hash16 (swept values): log FOLDER/stdout.log"
  bool interrupted = false;
};

// Runs every point that is not done, recording each finished run into `store` (and, first, the
// complete runs of the sweep that the store lacks).
SweepReport run_sweep_local(const SweepSpec& spec, ResultsStore& store, const LocalLaunchOptions& options);

}  // namespace ptq
