// `ptq sweep` and `ptq results` as a user runs them: a small real sweep (random ResNet-8,
// tiny calibration and test sets), a rerun that runs nothing, and a sweep killed mid-run
// (kill -9 of the launcher; its running child dies with it) that, started again, runs only
// what is missing and loses nothing that had finished.
#include <catch2/catch.hpp>

#include "framework/io/atomic_file.h"
#include "framework/results/results_store.h"
#include "tests/support/cli_run.h"
#include "tests/support/temp_dir.h"

#include <array>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include <sys/wait.h>
#include <unistd.h>

using namespace ptq;
using test::ptq_binary;
using test::ptq_cli;
namespace fs = std::filesystem;

namespace {
// Four runs of about a second each: W2 and W4 RTN × two seeds.
std::string write_sweep(const test::TempDir& dir) {
  return dir.write("small.yaml",
                   "config: " PTQ_SOURCE_DIR "/configs/quickstart.yaml\n"
                   "set: {variants: [], model.weights: random, calibration.num_samples: 64,\n"
                   "      calibration.act_samples: 32, eval.limit: 256, eval.sqnr_samples: 16}\n"
                   "grid: {quant.weight.bits: [2, 4]}\n"
                   "seeds: [1, 2]\n"
                   "output: " + dir.path().string() + "/sweeps\n"
                   "store: " + dir.path().string() + "/results.sqlite\n"
                   "threads: 2\n");
}

std::vector<fs::path> run_folders(const test::TempDir& dir) {
  std::vector<fs::path> out;
  const auto root = dir.path() / "sweeps" / "small";
  if (!fs::exists(root)) return out;
  for (const auto& e : fs::directory_iterator(root))
    if (e.is_directory() && e.path().filename().string().size() == 16) out.push_back(e.path());
  return out;
}

bool finished(const fs::path& folder) {
  if (!fs::exists(folder / "metrics.json")) return false;
  return io::read_file((folder / "metrics.json").string()).find("\"finished\": true") != std::string::npos;
}
}  // namespace

TEST_CASE("cli sweep: runs every point once, records it, and a rerun runs nothing", "[cli][sweep]") {
  test::TempDir dir;
  const auto sweep = write_sweep(dir);
  auto r = ptq_cli("sweep " + sweep + " --dry-run");
  INFO(r.output);
  REQUIRE(r.status == 0);
  CHECK_THAT(r.output, Catch::Contains("0 done, 4 to run, 0 half-written"));
  r = ptq_cli("sweep " + sweep + " --jobs 2");
  INFO(r.output);
  REQUIRE(r.status == 0);
  CHECK_THAT(r.output, Catch::Contains("4 runs; 0 were already done, 4 ran now, 0 failed"));
  CHECK(run_folders(dir).size() == 4);
  {
    ResultsStore store(dir.file("results.sqlite"), false);
    CHECK(store.run_count() == 4);
    const auto rows = store.query({{"sweep", "small"}, {"quant.weight.bits", "2"}});
    REQUIRE(rows.size() == 2);
    CHECK(rows[0]["threads"] == 1);  // two jobs share two threads
  }
  r = ptq_cli("sweep " + sweep);
  CHECK(r.status == 0);
  CHECK_THAT(r.output, Catch::Contains("4 were already done, 0 ran now"));
  r = ptq_cli("results --store " + dir.file("results.sqlite") + " --filter seed=2 --format csv");
  CHECK(r.status == 0);
  CHECK(std::count(r.output.begin(), r.output.end(), '\n') == 3);  // header + two runs
  r = ptq_cli("results --store " + dir.file("results.sqlite") + " --filter sed=2");
  CHECK(r.status == 2);
  CHECK_THAT(r.output, Catch::Contains("did you mean 'seed'"));
}

TEST_CASE("cli sweep: killed mid-run (kill -9), it resumes with only the missing runs", "[cli][sweep]") {
  test::TempDir dir;
  const auto sweep = write_sweep(dir);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    const std::string bin = ptq_binary(), log = dir.file("first.log");
    std::freopen(log.c_str(), "w", stdout);
    std::freopen(log.c_str(), "a", stderr);
    ::execl(bin.c_str(), bin.c_str(), "sweep", sweep.c_str(), "--jobs", "1", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // Wait until one run has finished and the next one has started, then kill the launcher.
  fs::path first_done;
  bool second_started = false;
  for (int i = 0; i < 1200 && !second_started; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    for (const auto& f : run_folders(dir)) {
      if (first_done.empty() && finished(f)) first_done = f;
      else if (!first_done.empty() && f != first_done && !finished(f)) second_started = true;
    }
  }
  REQUIRE(second_started);
  const auto done_text = io::read_file((first_done / "metrics.json").string());
  const auto done_time = fs::last_write_time(first_done / "metrics.json");
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the child dies with it (PDEATHSIG)

  auto r = ptq_cli("sweep " + sweep + " --dry-run");
  INFO(r.output);
  CHECK_THAT(r.output, Catch::Contains("half-written"));
  r = ptq_cli("sweep " + sweep);
  INFO(r.output);
  REQUIRE(r.status == 0);
  CHECK_THAT(r.output, Catch::Contains("4 runs;"));
  CHECK_THAT(r.output, Catch::Contains("half-written ones redone"));
  // The finished run was neither rerun nor rewritten; all four are complete and recorded once.
  CHECK(io::read_file((first_done / "metrics.json").string()) == done_text);
  CHECK(fs::last_write_time(first_done / "metrics.json") == done_time);
  const auto folders = run_folders(dir);
  CHECK(folders.size() == 4);
  for (const auto& f : folders) CHECK(finished(f));
  ResultsStore store(dir.file("results.sqlite"), false);
  CHECK(store.run_count() == 4);
  CHECK(store.query().size() == 4);
}

TEST_CASE("cli sweep: a failing run is reported with its log and the others still run", "[cli][sweep]") {
  test::TempDir dir;
  // The second point names weights that do not exist: it fails at start, the first succeeds.
  const auto sweep = dir.write("bad.yaml",
                               "config: " PTQ_SOURCE_DIR "/configs/quickstart.yaml\n"
                               "set: {variants: [], calibration.num_samples: 64, calibration.act_samples: 32,\n"
                               "      eval.limit: 128, eval.sqnr_samples: 0}\n"
                               "grid: {model.weights: [random, " + dir.file("missing.safetensors") + "]}\n"
                               "output: " + dir.path().string() + "/sweeps\n"
                               "store: " + dir.path().string() + "/results.sqlite\n"
                               "threads: 1\n");
  const auto r = ptq_cli("sweep " + sweep);
  INFO(r.output);
  CHECK(r.status == 1);
  CHECK_THAT(r.output, Catch::Contains("1 ran now, 1 failed") && Catch::Contains("exit status 2") &&
                           Catch::Contains("stdout.log"));
  const auto again = ptq_cli("sweep " + sweep + " --dry-run");
  CHECK_THAT(again.output, Catch::Contains("1 done, 0 to run, 1 half-written"));
}

TEST_CASE("cli sweep: through a local one-node Slurm, collected results equal the local launcher's",
          "[cli][sweep][slurm]") {
  test::TempDir dir;
  const std::string slurm_dir = dir.file("slurm");
  const std::string start = "PTQ_SLURM_DIR=" + slurm_dir + " " PTQ_SOURCE_DIR "/scripts/slurm_local.sh start > " +
                            dir.file("slurm-start.log") + " 2>&1";
  if (std::system(start.c_str()) != 0) {
    WARN("Slurm could not start here, skipping (" << io::read_file(dir.file("slurm-start.log")) << ")");
    return;
  }
  struct Stop {
    std::string dir;
    ~Stop() { std::system(("PTQ_SLURM_DIR=" + dir + " " PTQ_SOURCE_DIR "/scripts/slurm_local.sh stop").c_str()); }
  } stop{slurm_dir};
  ::setenv("SLURM_CONF", (slurm_dir + "/slurm.conf").c_str(), 1);
  const std::string body =
      "config: " PTQ_SOURCE_DIR "/configs/quickstart.yaml\n"
      "set: {variants: [], model.weights: random, calibration.num_samples: 64,\n"
      "      calibration.act_samples: 32, eval.limit: 256, eval.sqnr_samples: 16}\n"
      "grid: {quant.weight.bits: [2, 4]}\n"
      "threads: 1\n"
      "slurm: {cpus_per_task: 1, time: '00:10:00'}\n";
  const auto local = dir.write("local.yaml", "name: small\n" + body + "output: " + dir.file("local") +
                                                 "\nstore: " + dir.file("local.sqlite") + "\n");
  const auto cluster = dir.write("cluster.yaml", "name: small\n" + body + "output: " + dir.file("cluster") +
                                                     "\nstore: " + dir.file("cluster.sqlite") + "\n");
  auto r = ptq_cli("sweep " + local);
  INFO(r.output);
  REQUIRE(r.status == 0);
  r = ptq_cli("sweep " + cluster + " --launcher slurm");
  INFO(r.output);
  REQUIRE(r.status == 0);
  CHECK_THAT(r.output, Catch::Contains("submitted 2 runs as Slurm job array"));
  // Wait for the array to leave the queue (two runs of a few seconds each).
  for (int i = 0; i < 240; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    FILE* p = ::popen("squeue -h 2>/dev/null | wc -l", "r");
    char buf[32] = {0};
    const bool read = p && std::fgets(buf, sizeof buf, p);
    if (p) ::pclose(p);
    if (read && std::atoi(buf) == 0) break;
  }
  r = ptq_cli("results --store " + dir.file("cluster.sqlite") + " --collect " + dir.file("cluster") +
              " --format csv --fields hash");
  INFO(r.output);
  REQUIRE(r.status == 0);
  CHECK_THAT(r.output, Catch::Contains("collected 2 finished runs"));
  ResultsStore a(dir.file("local.sqlite"), false), b(dir.file("cluster.sqlite"), false);
  const auto ra = a.query(), rb = b.query();
  REQUIRE(ra.size() == 2);
  REQUIRE(rb.size() == 2);
  for (size_t i = 0; i < 2; ++i) {
    CHECK(ra[i]["hash"] == rb[i]["hash"]);
    CHECK(ra[i]["top1"] == rb[i]["top1"]);  // bit-identical: same config, seed and thread count
    CHECK(ra[i]["loss"] == rb[i]["loss"]);
    CHECK(ra[i]["quant.weight.bits"] == rb[i]["quant.weight.bits"]);
  }
  // A second submission has nothing left to run.
  r = ptq_cli("sweep " + cluster + " --launcher slurm");
  CHECK_THAT(r.output, Catch::Contains("all 2 runs are done; nothing to submit"));
}
