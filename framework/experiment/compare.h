// Method comparisons over seeds: for each summary row of a method other than the baseline, the
// difference of its mean top-1 from the baseline's at the same run name (bit widths), with
// Welch's t-test (unequal variances, Welch–Satterthwaite degrees of freedom) and a two-sided
// p-value. The verdict says "higher" / "lower" when p < alpha, "no significant difference"
// otherwise, and "too few seeds" below two seeds on either side. Used to test papers' claims
// such as "PD-Quant and MetaAug beat QDrop at the lowest bit widths" on committed results.
#pragma once

#include "framework/experiment/summary.h"

#include <string>
#include <vector>

namespace ptq {

struct Comparison {
  std::string config, run, method, label;
  std::string baseline_config;
  size_t seeds = 0, baseline_seeds = 0;
  double mean = 0.0, baseline_mean = 0.0, delta = 0.0;
  double t = 0.0, df = 0.0, p = 1.0;
  std::string verdict;
};

// Two-sided p-value of Student's t distribution with df degrees of freedom (df > 0).
double student_t_two_sided_p(double t, double df);

// Welch's t-test of mean(a) − mean(b). `valid` is false below two values on either side (t,
// df NaN, p 1). Equal values on both sides with zero variance give t = ±inf, p = 0 (or t = 0,
// p = 1 when the means are equal too).
struct WelchTest {
  double delta = 0.0, t = 0.0, df = 0.0, p = 1.0;
  bool valid = false;
};
WelchTest welch_t_test(const std::vector<double>& a, const std::vector<double>& b);

// Rows of `baseline` are matched by run name, preferring the same config.
std::vector<Comparison> compare_to_baseline(const std::vector<SummaryRow>& rows, const std::string& baseline,
                                            double alpha = 0.05);
std::string comparison_markdown(const std::vector<Comparison>& comparisons, const std::string& baseline,
                                double alpha = 0.05);

}  // namespace ptq
