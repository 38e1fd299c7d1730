// Running out of disk space: a `ptq run` whose activation cache spills to a full file system
// (or past the file-size limit) stops with an error that says what could not be written and
// how to fix it, and keeps what it had already written: the first variant's results stay in
// metrics.json, which still parses, and the run never reads as finished.
// The real "No space left on device" case mounts a 256 KiB tmpfs in a private mount namespace
// (unshare -rm); where that is not allowed the test says so and checks only the limit case.
#include <catch2/catch.hpp>

#include "framework/results/run_record.h"
#include "framework/io/atomic_file.h"
#include "tests/support/cli_run.h"
#include "tests/support/temp_dir.h"

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>

using namespace ptq;

namespace {

// Two BRECQ variants on random weights: the first keeps its cache in memory, the second spills
// every entry (method.cache.memory_mb = 0) to `spill_dir`.
std::string brecq_two_variants(const std::string& run_dir, const std::string& spill_dir) {
  return "run " PTQ_SOURCE_DIR "/configs/brecq/fmnist_resnet8.yaml --run-dir " + run_dir +
         " --set threads=1 --set model.weights=random --set calibration.num_samples=32 --set eval.limit=256"
         " --set eval.sqnr_samples=0 --set method.iters=2 --set method.progress=false"
         " --set output.save_quantized=false"
         " --set 'variants=[{name: in memory, set: {quant.weight.bits: 4, quant.act.bits: 4}},"
         " {name: spilled, set: {quant.weight.bits: 4, quant.act.bits: 4, method.cache.memory_mb: 0,"
         " method.cache.spill_dir: " + spill_dir + "}}]'";
}

void check_first_variant_kept(const std::string& run_dir) {
  const auto metrics = nlohmann::json::parse(io::read_file(run_dir + "/metrics.json"));
  REQUIRE(metrics["runs"].size() == 1);
  CHECK(metrics["runs"][0]["name"] == "in memory");
  CHECK(metrics["runs"][0]["top1"].is_number());
  CHECK(!run_is_complete(run_dir));
}

}  // namespace

TEST_CASE("disk full: a spill past the file-size limit fails clearly and keeps earlier results",
          "[cli][disk]") {
  test::TempDir dir;
  const std::string run_dir = dir.file("run");
  std::filesystem::create_directories(dir.file("spill"));
  // 256 KiB per file: the run's own files fit, the spilled activations (1.6 MB) do not. ptq
  // ignores SIGXFSZ, so the write fails with EFBIG instead of killing the process.
  const auto r = test::ptq_cli_with_prefix("prlimit --fsize=262144 ", brecq_two_variants(run_dir, dir.file("spill")));
  INFO(r.output);
  CHECK(r.status == 2);
  CHECK_THAT(r.output, Catch::Contains("activation cache: entry") && Catch::Contains("cannot reserve") && Catch::Contains("File too large") &&
                           Catch::Contains("free disk space, or set method.cache.spill_dir"));
  check_first_variant_kept(run_dir);
}

TEST_CASE("disk full: a spill to a full file system fails with 'No space left on device'", "[cli][disk]") {
  test::TempDir dir;
  const std::string run_dir = dir.file("run"), spill = dir.file("tiny-fs");
  std::filesystem::create_directories(spill);
  // mount-then-exec, inside a private mount namespace where this process is root.
  const auto script = dir.write("on-tiny-fs.sh", "mount -t tmpfs -o size=256k tmpfs " + spill + " || exit 99\nexec \"$@\"\n");
  if (std::system(("unshare -rm sh " + script + " true >/dev/null 2>&1").c_str()) != 0) {
    WARN("skipped: cannot mount a tmpfs in a private mount namespace here (unshare -rm)");
    return;
  }
  const auto r = test::ptq_cli_with_prefix("unshare -rm sh " + script + " ", brecq_two_variants(run_dir, spill));
  INFO(r.output);
  CHECK(r.status == 2);
  CHECK_THAT(r.output, Catch::Contains("activation cache: entry") && Catch::Contains("cannot reserve") && Catch::Contains("No space left on device") &&
                           Catch::Contains("free disk space, or set method.cache.spill_dir"));
  check_first_variant_kept(run_dir);
}
