// Method comparisons over seeds (framework/experiment/compare.h): Student's t tail against
// tabulated critical values, Welch's statistic by hand, and the verdicts.
#include <catch2/catch.hpp>

#include "framework/experiment/compare.h"

#include <cmath>

using namespace ptq;

namespace {

SummaryRow row(const std::string& method, const std::string& run, std::vector<double> top1,
               const std::string& config = "c") {
  SummaryRow r;
  r.config = config;
  r.method = method;
  r.run = run;
  r.label = run;
  r.top1 = std::move(top1);
  return r;
}

}  // namespace

TEST_CASE("compare: Student's t two-sided p-values match tabulated critical values", "[experiment][compare]") {
  // t_{0.975, df}: two-sided p = 0.05.
  CHECK(student_t_two_sided_p(12.706, 1) == Approx(0.05).epsilon(1e-3));
  CHECK(student_t_two_sided_p(4.303, 2) == Approx(0.05).epsilon(1e-3));
  CHECK(student_t_two_sided_p(2.776, 4) == Approx(0.05).epsilon(1e-3));
  CHECK(student_t_two_sided_p(2.228, 10) == Approx(0.05).epsilon(1e-3));
  // t_{0.995, 4} = 4.604: p = 0.01; t = 0: p = 1; large df approaches the normal (1.96).
  CHECK(student_t_two_sided_p(4.604, 4) == Approx(0.01).epsilon(1e-3));
  CHECK(student_t_two_sided_p(0.0, 3) == Approx(1.0));
  CHECK(student_t_two_sided_p(-2.776, 4) == Approx(0.05).epsilon(1e-3));
  CHECK(student_t_two_sided_p(1.96, 1e6) == Approx(0.05).epsilon(1e-3));
  CHECK(student_t_two_sided_p(INFINITY, 3) == 0.0);
}

TEST_CASE("compare: Welch's t against a baseline at the same run, with verdicts", "[experiment][compare]") {
  const std::vector<SummaryRow> rows = {
      row("base", "W2A2", {89.0, 89.1, 89.2}),         row("base", "W4A4", {90.0, 90.1, 90.2}),
      row("better", "W2A2", {89.6, 89.7, 89.8}),       row("same", "W2A2", {89.0, 89.3, 89.1}),
      row("worse", "W4A4", {89.0, 89.2, 89.1}),        row("one_seed", "W4A4", {91.0}),
      row("elsewhere", "W8A8", {90.0, 90.1}),          row("ablation", "W2A2", {89.5, 89.6, 89.7}, "other"),
  };
  const auto cs = compare_to_baseline(rows, "base");
  REQUIRE(cs.size() == 5);  // no baseline at W8A8
  auto find = [&](const std::string& m) {
    for (const auto& c : cs)
      if (c.method == m) return c;
    FAIL("no comparison for " << m);
    return Comparison{};
  };
  const auto b = find("better");
  CHECK(b.delta == Approx(0.6));
  // Equal variances (0.01 each) and sizes: t = 0.6 / sqrt(0.01/3 + 0.01/3), df = 4.
  CHECK(b.t == Approx(0.6 / std::sqrt(0.02 / 3.0)));
  CHECK(b.df == Approx(4.0));
  CHECK(b.verdict == "higher");
  CHECK(find("same").verdict == "no significant difference");
  CHECK(find("worse").verdict == "lower");
  CHECK(find("one_seed").verdict == "too few seeds");
  CHECK(find("ablation").baseline_config == "c");  // another config's baseline when its own has none
  const auto md = comparison_markdown(cs, "base");
  CHECK(md.find("| c | W2A2 | better | W2A2 | 89.70 | 89.10 | +0.60 |") != std::string::npos);
  CHECK_THROWS_WITH(compare_to_baseline(rows, "qdrop"), Catch::Contains("baseline method 'qdrop'"));
}

TEST_CASE("compare: Welch's t-test reproduces published worked examples", "[experiment][compare]") {
  // The first worked example of the Wikipedia article "Welch's t-test" (t −2.46, ν 25.0, p 0.021).
  const std::vector<double> a1 = {27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4};
  const std::vector<double> a2 = {27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4};
  auto w = welch_t_test(a1, a2);
  CHECK(w.valid);
  CHECK(w.t == Approx(-2.46).margin(0.005));
  CHECK(w.df == Approx(25.0).margin(0.05));
  CHECK(w.p == Approx(0.021).margin(0.0005));
  // By hand: means 2 and 6, variances 1 and 4: t = −4/√(5/3), df = (5/3)² / ((1/3)²/2 + (4/3)²/2) = 50/17.
  w = welch_t_test({1.0, 2.0, 3.0}, {4.0, 6.0, 8.0});
  CHECK(w.delta == Approx(-4.0));
  CHECK(w.t == Approx(-4.0 / std::sqrt(5.0 / 3.0)));
  CHECK(w.df == Approx(50.0 / 17.0));
  CHECK_FALSE(welch_t_test({1.0}, {1.0, 2.0}).valid);
}
