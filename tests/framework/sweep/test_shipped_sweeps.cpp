// Every sweep in experiments/sweeps/ expands and validates (all points' configs, keys, method
// options), and every table in experiments/tables/ loads and reads a sweep that exists.
#include <catch2/catch.hpp>

#include "framework/results/table_spec.h"
#include "framework/sweep/sweep_spec.h"

#include <filesystem>
#include <set>

using namespace ptq;
namespace fs = std::filesystem;

TEST_CASE("shipped sweeps and tables load, and each table reads a shipped sweep", "[sweep][shipped]") {
  std::set<std::string> sweeps;
  for (const auto& e : fs::directory_iterator(PTQ_SOURCE_DIR "/experiments/sweeps")) {
    if (e.path().extension() != ".yaml") continue;
    INFO(e.path().string());
    const auto s = load_sweep(e.path().string());
    CHECK(s.points.size() >= 2);
    sweeps.insert(s.name);
  }
  CHECK(sweeps.count("fmnist_table"));
  const auto fmnist = load_sweep(PTQ_SOURCE_DIR "/experiments/sweeps/fmnist_table.yaml");
  CHECK(fmnist.points.size() == 6 * 3);
  size_t tables = 0;
  for (const auto& e : fs::directory_iterator(PTQ_SOURCE_DIR "/experiments/tables")) {
    if (e.path().extension() != ".yaml") continue;
    INFO(e.path().string());
    const auto t = load_table_spec(e.path().string());
    REQUIRE(t.filter.count("sweep"));
    CHECK(sweeps.count(t.filter.at("sweep")));
    ++tables;
  }
  CHECK(tables >= 3);
}
