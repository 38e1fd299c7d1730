// `ptq sweep --launcher slurm`: submits the sweep's unfinished points as one Slurm job array.
//
// Written under <root>/slurm/<time>/: tasks.txt (one run hash per array task), job.sh (the
// batch script: #SBATCH lines from the sweep's `slurm:` section, --chdir to the submitting
// folder, output per task) and, after sbatch, job_id. Task i runs
//   ptq sweep SWEEP.yaml [--set ...] --only HASH --no-store --threads $SLURM_CPUS_PER_TASK
// i.e. the local launcher restricted to one point: it redoes a half-written folder and writes
// the run folder on the shared file system, but never touches the SQLite store (one writer per
// store; SQLite locking over NFS is unreliable). `ptq results --collect <root>` merges the
// finished folders into the store afterwards; a second submission runs only what is missing.
// A submission is refused while an earlier array of the same sweep is still queued or
// running (squeue), so two tasks never write one folder.
#pragma once

#include "framework/sweep/sweep_spec.h"

#include <string>
#include <vector>

namespace ptq {

struct SlurmSubmitOptions {
  std::string sbatch = "sbatch", squeue = "squeue";
  std::string ptq_binary;                   // default: this executable
  std::vector<std::string> sweep_overrides;  // the --set arguments of the sweep command
  bool dry_run = false;                      // write job.sh and tasks.txt but do not submit
};

// The batch script for `hashes` (written to job.sh).
std::string slurm_job_script(const SweepSpec& spec, const std::string& tasks_file, const std::string& ptq_binary,
                             const std::vector<std::string>& sweep_overrides, size_t tasks, const std::string& log_dir);

// Submits; returns a report (job id, tasks, how to collect). No pending points: says so.
std::string submit_sweep_slurm(const SweepSpec& spec, const SlurmSubmitOptions& options);

}  // namespace ptq
