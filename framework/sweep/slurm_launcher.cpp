#include "framework/sweep/slurm_launcher.h"

#include "framework/core/check.h"
#include "framework/core/process.h"
#include "framework/core/strings.h"
#include "framework/core/time_text.h"
#include "framework/io/atomic_file.h"
#include "framework/sweep/local_launcher.h"

#include <fmt/format.h>

#include <filesystem>
#include <memory>


namespace ptq {
namespace {

namespace fs = std::filesystem;

std::string stamp() { return local_time_text("%Y%m%d-%H%M%S"); }

std::string absolute(const std::string& p) { return fs::absolute(p).lexically_normal().string(); }

// Job ids of earlier submissions of this sweep that squeue still lists.
std::vector<std::string> active_jobs(const SweepSpec& spec, const std::string& squeue) {
  std::vector<std::string> active;
  const fs::path dir = fs::path(spec.root()) / "slurm";
  if (!fs::exists(dir)) return active;
  for (const auto& e : fs::directory_iterator(dir)) {
    const auto id_file = e.path() / "job_id";
    if (!fs::exists(id_file)) continue;
    const std::string id = trim(io::read_file(id_file.string()));
    const auto q = run_command(squeue + " -h -j " + shell_quote(id) + " -o %i 2>&1");
    if (q.status == 0 && !q.output.empty()) active.push_back(id);
  }
  return active;
}

}  // namespace

std::string slurm_job_script(const SweepSpec& spec, const std::string& tasks_file, const std::string& ptq_binary,
                             const std::vector<std::string>& sweep_overrides, size_t tasks, const std::string& log_dir) {
  const auto& s = spec.slurm;
  // #SBATCH lines are not shell words: paths with blanks or '%' cannot be written there.
  for (const std::string& path : {fs::current_path().string(), log_dir})
    PTQ_CHECK(path.find_first_of(" \t\n%") == std::string::npos,
              "the Slurm launcher needs paths without blanks or '%' (got '{}'); run from, and set `output:` to, such "
              "a folder",
              path);
  std::string out = "#!/bin/bash\n";
  out += fmt::format("#SBATCH --job-name=ptq-{}\n", spec.name);
  out += fmt::format("#SBATCH --array=0-{}{}\n", tasks - 1, s.max_parallel > 0 ? fmt::format("%{}", s.max_parallel) : "");
  out += fmt::format("#SBATCH --cpus-per-task={}\n", s.cpus_per_task);
  out += fmt::format("#SBATCH --time={}\n", s.time);
  out += fmt::format("#SBATCH --chdir={}\n", fs::current_path().string());
  out += fmt::format("#SBATCH --output={}/task-%a.out\n", log_dir);
  if (!s.partition.empty()) out += fmt::format("#SBATCH --partition={}\n", s.partition);
  if (!s.mem.empty()) out += fmt::format("#SBATCH --mem={}\n", s.mem);
  if (!s.account.empty()) out += fmt::format("#SBATCH --account={}\n", s.account);
  if (s.gpus > 0) out += fmt::format("#SBATCH --gres=gpu:{}\n", s.gpus);
  for (const auto& e : s.extra) out += fmt::format("#SBATCH {}\n", e);
  out += "# Written by `ptq sweep --launcher slurm`: array task i runs the i-th run hash of tasks.txt.\n";
  out += "set -euo pipefail\n";
  out += fmt::format("hash=$(sed -n \"$((SLURM_ARRAY_TASK_ID + 1))p\" {})\n", shell_quote(tasks_file));
  std::string cmd = shell_quote(ptq_binary) + " sweep " + shell_quote(absolute(spec.file));
  for (const auto& o : sweep_overrides) cmd += " --set " + shell_quote(o);
  cmd += " --store " + shell_quote(absolute(spec.store));
  cmd += " --only \"$hash\" --no-store --jobs 1 --threads \"${SLURM_CPUS_PER_TASK:-1}\"";
  out += "exec " + cmd + "\n";
  return out;
}

std::string submit_sweep_slurm(const SweepSpec& spec, const SlurmSubmitOptions& options) {
  std::unique_ptr<ResultsStore> store;  // runs it records are done too (collected earlier)
  if (fs::exists(spec.store)) store = std::make_unique<ResultsStore>(spec.store, false);
  std::vector<std::string> hashes;
  for (const auto& p : spec.points)
    if (!is_done(run_state(spec, p, store.get()))) hashes.push_back(p.short_hash);
  if (hashes.empty())
    return fmt::format("sweep {}: all {} runs are done; nothing to submit\n", spec.name, spec.points.size());
  if (!options.dry_run) {
    const auto active = active_jobs(spec, options.squeue);
    PTQ_CHECK(active.empty(),
              "sweep {}: Slurm job {} of this sweep is still queued or running; wait for it (or scancel it) before "
              "submitting again, so two tasks never write one run folder",
              spec.name, join(active, ", "));
  }
  std::string binary = options.ptq_binary;
  if (binary.empty()) binary = fs::read_symlink("/proc/self/exe").string();
  const fs::path dir = fs::absolute(fs::path(spec.root()) / "slurm" / stamp());
  fs::create_directories(dir);
  const std::string tasks = (dir / "tasks.txt").string();
  io::write_text_atomic(tasks, join(hashes, "\n") + "\n");
  const std::string script = (dir / "job.sh").string();
  io::write_text_atomic(script, slurm_job_script(spec, tasks, binary, options.sweep_overrides, hashes.size(),
                                                 dir.string()));
  if (options.dry_run)
    return fmt::format("sweep {}: {} runs to submit; wrote {} (not submitted)\n", spec.name, hashes.size(), script);
  const auto sb = run_command(options.sbatch + " --parsable " + shell_quote(script) + " 2>&1");
  PTQ_CHECK(sb.status == 0, "sbatch failed (exit status {}): {}; check that Slurm is reachable (sinfo) and the "
            "`slurm:` section of {}", sb.status, sb.output, spec.file);
  const std::string job_id = trim(split(sb.output, ';').front());
  io::write_text_atomic((dir / "job_id").string(), job_id + "\n");
  return fmt::format(
      "sweep {}: submitted {} runs as Slurm job array {} ({})\n"
      "when it is done: ptq results --store {} --collect {}\n",
      spec.name, hashes.size(), job_id, script, spec.store, spec.root());
}

}  // namespace ptq
