// The run hash names sweep folders and identifies runs in the results store: it must not
// change with how the YAML is spelled, and must change with any value.
#include <catch2/catch.hpp>

#include "framework/sweep/config_hash.h"
#include "tests/support/temp_dir.h"

using namespace ptq;

namespace {
std::string hash_of(const test::TempDir& dir, const std::string& yaml, std::vector<std::string> overrides = {}) {
  return run_hash(config::Config::load(dir.write("exp.yaml", yaml), overrides));
}
}  // namespace

TEST_CASE("config hash: key order, flow/block style, comments and number spellings do not matter", "[sweep][hash]") {
  test::TempDir dir;
  const auto a = hash_of(dir,
                         "seed: 7\n"
                         "quant:\n"
                         "  weight: {bits: 4, symmetric: false}   # a comment\n"
                         "method: {name: qdrop, lr: 0.001, p: 0.5, progress: true}\n");
  CHECK(a.size() == 64);
  CHECK(hash_of(dir,
                "method:\n"
                "  p: 5e-1\n"
                "  lr: 1e-3\n"
                "  name: qdrop\n"
                "  progress: true\n"
                "quant: {weight: {symmetric: false, bits: 4.0}}\n"
                "seed: 7.0\n") == a);
  // Anchors and aliases resolve to the same tree.
  CHECK(hash_of(dir, "seed: &s 7\nquant: {weight: {bits: 4, symmetric: false}}\n"
                     "method: {name: qdrop, lr: 0.001, p: 0.5, progress: true}\n") == a);
}

TEST_CASE("config hash: every value change, a quoted number and the config name change it", "[sweep][hash]") {
  test::TempDir dir;
  const std::string base = "seed: 7\nquant: {weight: {bits: 4}}\nmethod: {name: qdrop, p: 0.5}\n";
  const auto a = hash_of(dir, base);
  CHECK(hash_of(dir, base, {"seed=8"}) != a);
  CHECK(hash_of(dir, base, {"quant.weight.bits=2"}) != a);
  CHECK(hash_of(dir, base, {"method.p=0.25"}) != a);
  CHECK(hash_of(dir, base, {"method.extra=1"}) != a);
  CHECK(hash_of(dir, "seed: 7\nquant: {weight: {bits: '4'}}\nmethod: {name: qdrop, p: 0.5}\n") != a);
  // Spellings ptq's reader does not take as numbers or booleans stay text.
  CHECK(hash_of(dir, "seed: 7\nquant: {weight: {bits: 4}}\nmethod: {name: qdrop, p: 0.5, f: True}\n") !=
        hash_of(dir, "seed: 7\nquant: {weight: {bits: 4}}\nmethod: {name: qdrop, p: 0.5, f: true}\n"));
  // Large integers (64-bit seeds) stay exact.
  CHECK(hash_of(dir, "seed: 9007199254740993\n") != hash_of(dir, "seed: 9007199254740992\n"));
  const auto other_name = run_hash(config::Config::load(dir.write("other.yaml", base)));
  CHECK(other_name != a);
}

TEST_CASE("config hash: execution settings (threads, output, progress, memory budgets) are not part of a run's identity",
          "[sweep][hash]") {
  test::TempDir dir;
  const std::string base = "seed: 7\nthreads: 1\nmethod: {name: qdrop, progress: true}\noutput: {dir: runs}\n";
  const auto a = hash_of(dir, base);
  CHECK(hash_of(dir, base, {"threads=16"}) == a);
  CHECK(hash_of(dir, base, {"output.dir=/elsewhere"}) == a);
  CHECK(hash_of(dir, base, {"method.progress=false"}) == a);
  CHECK(hash_of(dir, base, {"calibration.memory_mb=0", "calibration.spill_dir=/scratch"}) == a);
  CHECK(hash_of(dir, base, {"method.cache={memory_mb: 0, spill_dir: /scratch}"}) == a);
  CHECK(hash_of(dir, base, {"calibration.num_samples=64"}) != a);
}

TEST_CASE("config hash: a run folder's config.yaml (to_yaml) hashes like the config it came from", "[sweep][hash]") {
  test::TempDir dir;
  const auto cfg = config::Config::load(dir.write("exp.yaml", "_base_: " PTQ_SOURCE_DIR "/configs/qdrop/fmnist_resnet8.yaml\n"
                                                              "method: {lr: 4.0e-5}\nlabel: 'x: y'\nq: '8'\n"),
                                        {"variants=[{name: W2A2, set: {quant.weight.bits: 2}}]"});
  const auto round_trip = YAML::Load(cfg.to_yaml());
  CHECK(run_hash(cfg.name(), round_trip) == run_hash(cfg));
  CHECK(canonical_json(round_trip)["q"] == "8");
}
