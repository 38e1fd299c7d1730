// Crash safety of `ptq run`: killed (SIGKILL) at points spread over a run, its run folder never
// holds a file that reads as complete when it is not — every JSON file parses (they are written
// atomically), a killed run is never "finished", and collecting the folders records only the
// runs that did finish.
#include <catch2/catch.hpp>

#include "framework/io/atomic_file.h"
#include "framework/results/results_store.h"
#include "tests/support/cli_run.h"
#include "tests/support/temp_dir.h"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <thread>

#include <sys/wait.h>
#include <unistd.h>

using namespace ptq;
namespace fs = std::filesystem;

TEST_CASE("crash safety: ptq run killed at any point leaves no partial file read as complete",
          "[cli][crash]") {
  test::TempDir dir;
  const auto config = dir.write("tiny.yaml",
                                "_base_: " PTQ_SOURCE_DIR "/configs/quickstart.yaml\n"
                                "threads: 1\nmodel: {weights: random}\n"
                                "calibration: {num_samples: 64, act_samples: 32}\n"
                                "eval: {limit: 512, sqnr_samples: 16}\n");
  const std::string bin = test::ptq_binary();
  size_t killed = 0, finished = 0;
  // Kill times spread from start-up to past the end of a run (about a second here); -1: no kill.
  for (int delay_ms : {20, 60, 120, 200, 300, 450, 600, 800, 1100, 1500, -1}) {
    const std::string run_dir = dir.file("run" + std::to_string(delay_ms + 1));
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      std::freopen("/dev/null", "w", stdout);
      std::freopen("/dev/null", "w", stderr);
      ::execl(bin.c_str(), bin.c_str(), "run", config.c_str(), "--run-dir", run_dir.c_str(),
              static_cast<char*>(nullptr));
      ::_exit(127);
    }
    if (delay_ms >= 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
      ::kill(pid, SIGKILL);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    const bool was_killed = WIFSIGNALED(status);
    if (!was_killed) REQUIRE(WEXITSTATUS(status) == 0);
    (was_killed ? killed : finished) += 1;
    INFO("killed after " << delay_ms << " ms: " << (was_killed ? "killed" : "had finished"));
    if (fs::exists(run_dir))
      for (const auto& e : fs::directory_iterator(run_dir)) {
        // (A hidden ".name.tmp.*" of an interrupted atomic write may remain; nothing reads it.)
        if (e.path().extension() == ".json")
          CHECK_NOTHROW(nlohmann::json::parse(io::read_file(e.path().string())));
      }
    CHECK(run_is_complete(run_dir) == !was_killed);
  }
  CHECK(killed >= 3);
  CHECK(finished >= 1);
  // Collecting every folder records exactly the runs that finished.
  const auto r = test::ptq_cli("results --store " + dir.file("r.sqlite") + " --collect " + dir.path().string() +
                               " --format csv");
  INFO(r.output);
  REQUIRE(r.status == 0);
  ResultsStore store(dir.file("r.sqlite"), false);
  // Identical configs share one hash: every finished run is the same run.
  CHECK(store.run_count() == 1);
}
