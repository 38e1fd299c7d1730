#include <catch2/catch.hpp>

#include "framework/core/check.h"
#include "framework/experiment/summary.h"
#include "tests/support/temp_dir.h"

using namespace ptq;

namespace {

std::string metrics(uint64_t seed, double fp, double qdrop, double brecq) {
  nlohmann::json m = {{"config", "fmnist"}, {"seed", seed}, {"fp", {{"top1", fp}}}};
  m["runs"] = nlohmann::json::array(
      {{{"name", "W2A4"}, {"method", "qdrop"}, {"label", "W2A4"}, {"top1", qdrop}, {"method_seconds", 10.0}},
       {{"name", "W2A4"}, {"method", "brecq"}, {"label", "W2A4"}, {"top1", brecq}, {"method_seconds", 4.0},
        {"method_peak_rss_mb", 100.0}}});
  return m.dump();
}

}  // namespace

TEST_CASE("summary: seeds of one config, method and run are pooled into mean ± std", "[experiment][summary]") {
  test::TempDir dir;
  dir.write("a/metrics.json", metrics(1, 90.0, 80.0, 70.0));
  dir.write("b/metrics.json", metrics(2, 90.0, 82.0, 71.0));
  dir.write("c/run.log", "not metrics");
  const auto rows = summarize_runs({dir.path().string()});
  REQUIRE(rows.size() == 2);  // qdrop and brecq stay apart although the run names are equal
  const auto& q = rows[0].method == "qdrop" ? rows[0] : rows[1];
  const auto& b = rows[0].method == "qdrop" ? rows[1] : rows[0];
  CHECK(q.top1.size() == 2);
  CHECK(q.mean() == Approx(81.0));
  CHECK(q.stddev() == Approx(std::sqrt(2.0)));
  CHECK(q.seeds == std::vector<uint64_t>{1, 2});
  CHECK(b.mean() == Approx(70.5));
  CHECK(b.peak_rss_mb == Approx(100.0));
  CHECK(q.fp_top1 == Approx(90.0));
  const auto md = summary_markdown(rows);
  CHECK(md.find("| fmnist | W2A4 | qdrop | W2A4 | 81.00 ± 1.41 | 2 | -9.00 | 10.0 | – |") != std::string::npos);
}

TEST_CASE("summary: missing paths and broken files are clear errors", "[experiment][summary]") {
  test::TempDir dir;
  CHECK_THROWS_WITH(summarize_runs({dir.file("nope")}), Catch::Contains("does not exist"));
  CHECK_THROWS_WITH(summarize_runs({dir.path().string()}), Catch::Contains("no metrics.json"));
  dir.write("x/metrics.json", "{broken");
  CHECK_THROWS_WITH(summarize_runs({dir.path().string()}), Catch::Contains("is not valid JSON"));
}
