// Sweep files: expansion (grid × zip × seeds, exclude, include, duplicates), paths relative to
// the sweep file, and errors that name the problem before anything runs.
#include <catch2/catch.hpp>

#include "framework/core/check.h"
#include "framework/sweep/sweep_spec.h"
#include "tests/support/temp_dir.h"

#include <set>

using namespace ptq;

namespace {
const std::string kBase = "config: " PTQ_SOURCE_DIR "/configs/quickstart.yaml\n";

SweepSpec sweep(const test::TempDir& dir, const std::string& yaml) {
  return load_sweep(dir.write("sw.yaml", kBase + yaml));
}

std::set<std::string> swept_set(const SweepSpec& s) {
  std::set<std::string> out;
  for (const auto& p : s.points) out.insert(p.swept.dump());
  return out;
}
}  // namespace

TEST_CASE("sweep: grid × zip × seeds, each point resolved and hashed", "[sweep]") {
  test::TempDir dir;
  const auto s = sweep(dir,
                       "set: {eval.limit: 256}\n"
                       "grid: {calibration.num_samples: [64, 128]}\n"
                       "zip: [{quant.weight.bits: [4, 2], quant.act.bits: [4, 2]}]\n"
                       "seeds: [1, 2, 3]\n");
  CHECK(s.name == "sw");
  CHECK(s.root() == "runs/sweeps/sw");
  REQUIRE(s.points.size() == 2 * 2 * 3);
  std::set<std::string> hashes;
  for (const auto& p : s.points) {
    hashes.insert(p.hash);
    CHECK(p.short_hash == p.hash.substr(0, 16));
    CHECK(p.resolved.root()["eval"]["limit"].as<int>() == 256);
    CHECK(p.resolved.root()["quant"]["weight"]["bits"].as<int>() == p.swept["quant.weight.bits"].get<int>());
    CHECK(p.resolved.root()["quant"]["act"]["bits"].as<int>() == p.swept["quant.weight.bits"].get<int>());  // zipped
    CHECK(p.resolved.root()["seed"].as<int>() == p.swept["seed"].get<int>());
  }
  CHECK(hashes.size() == 12);
  CHECK(s.points.front().swept == nlohmann::json{{"calibration.num_samples", 64}, {"quant.weight.bits", 4},
                                                 {"quant.act.bits", 4}, {"seed", 1}});
}

TEST_CASE("sweep: exclude drops matching points, include adds points, duplicates run once", "[sweep]") {
  test::TempDir dir;
  const auto s = sweep(dir,
                       "grid: {quant.weight.bits: [2, 4], quant.act.bits: [2, 4]}\n"
                       "seeds: [1, 2]\n"
                       "exclude: [{quant.weight.bits: 2, quant.act.bits: 4}]\n"
                       "include: [{quant.weight.bits: 8, quant.act.bits: 8}, {quant.weight.bits: 4, quant.act.bits: 4, "
                       "seed: 1}]\n");
  // 4 grid points × 2 seeds − 2 excluded + 2 (W8A8 × seeds) + 0 (the second include repeats a grid point)
  CHECK(s.points.size() == 8);
  const auto set = swept_set(s);
  CHECK(set.count(R"({"quant.act.bits":4,"quant.weight.bits":2,"seed":1})") == 0);
  CHECK(set.count(R"({"quant.act.bits":8,"quant.weight.bits":8,"seed":2})") == 1);
}

TEST_CASE("sweep: a config axis sweeps experiment files, relative to the sweep file", "[sweep]") {
  test::TempDir dir;
  dir.write("a.yaml", "_base_: " PTQ_SOURCE_DIR "/configs/quickstart.yaml\nseed: 3\n");
  dir.write("b.yaml", "_base_: " PTQ_SOURCE_DIR "/configs/quickstart.yaml\nseed: 4\n");
  const auto s = load_sweep(dir.write("sw.yaml", "grid: {config: [a.yaml, b.yaml]}\n"));
  REQUIRE(s.points.size() == 2);
  CHECK(s.points[0].resolved.name() == "a");
  CHECK(s.points[1].resolved.root()["seed"].as<int>() == 4);
  CHECK(s.points[0].swept["config"] == "a.yaml");
}

TEST_CASE("sweep: mistakes are named before anything runs", "[sweep]") {
  test::TempDir dir;
  CHECK_THROWS_WITH(sweep(dir, "seds: [1, 2]\n"), Catch::Contains("unknown key 'seds'") && Catch::Contains("seeds"));
  CHECK_THROWS_WITH(sweep(dir, "zip: [{quant.weight.bits: [4, 2], quant.act.bits: [4]}]\n"),
                    Catch::Contains("zipped lists vary together"));
  CHECK_THROWS_WITH(sweep(dir, "grid: {quant.weight.bits: [2, 4]}\nexclude: [{quant.weigth.bits: 2}]\n"),
                    Catch::Contains("'quant.weigth.bits' is not swept") && Catch::Contains("quant.weight.bits"));
  CHECK_THROWS_WITH(sweep(dir, "grid: {quant.weight.bits: [4, 1]}\n"),
                    Catch::Contains("point quant.weight.bits=1") && Catch::Contains("quant.weight.bits"));
  CHECK_THROWS_WITH(sweep(dir, "grid: {method.lrr: [0.1]}\n"), Catch::Contains("unknown key 'method.lrr'"));
  CHECK_THROWS_WITH(sweep(dir, "grid: {quant.weight.bits: []}\n"), Catch::Contains("non-empty list"));
  CHECK_THROWS_WITH(load_sweep(dir.write("none.yaml", "seeds: [1]\n")), Catch::Contains("no experiment config"));
  CHECK_THROWS_WITH(sweep(dir, "grid: {quant.weight.bits: [2]}\nexclude: [{quant.weight.bits: 2}]\n"),
                    Catch::Contains("every point is excluded"));
}

TEST_CASE("sweep: override_string writes one-line YAML that keeps quoted strings quoted", "[sweep]") {
  CHECK(override_string("a.b", YAML::Load("4")) == "a.b=4");
  CHECK(override_string("v", YAML::Load("[{name: W2, set: {x: 2}}]")) == "v=[{name: W2, set: {x: 2}}]");
  CHECK(override_string("s", YAML::Load("'8'")) == "s=\"8\"");
}
