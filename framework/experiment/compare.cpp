#include "framework/experiment/compare.h"

#include "framework/core/check.h"
#include "framework/core/statistics.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>

namespace ptq {
namespace {

// Continued fraction of the regularised incomplete beta function I_x(a, b) (modified Lentz),
// accurate for x < (a + 1)/(a + b + 2); the caller uses the symmetry I_x(a, b) = 1 − I_{1−x}(b, a).
double beta_fraction(double a, double b, double x) {
  const double tiny = 1e-300;
  double c = 1.0, d = 1.0 - (a + b) * x / (a + 1.0);
  d = 1.0 / (std::abs(d) < tiny ? tiny : d);
  double h = d;
  for (int m = 1; m <= 300; ++m) {
    const double m2 = 2.0 * m;
    for (int half = 0; half < 2; ++half) {
      const double num = half == 0 ? m * (b - m) * x / ((a + m2 - 1.0) * (a + m2))
                                   : -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0));
      d = 1.0 + num * d;
      d = 1.0 / (std::abs(d) < tiny ? tiny : d);
      c = 1.0 + num / c;
      if (std::abs(c) < tiny) c = tiny;
      h *= d * c;
      if (half == 1 && std::abs(d * c - 1.0) < 1e-15) return h;
    }
  }
  return h;
}

double incomplete_beta(double a, double b, double x) {
  if (x <= 0.0) return 0.0;
  if (x >= 1.0) return 1.0;
  const double log_front = std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log1p(-x);
  if (x < (a + 1.0) / (a + b + 2.0)) return std::exp(log_front) * beta_fraction(a, b, x) / a;
  return 1.0 - std::exp(log_front) * beta_fraction(b, a, 1.0 - x) / b;
}

}  // namespace

double student_t_two_sided_p(double t, double df) {
  PTQ_INTERNAL_ASSERT(df > 0.0, "Student's t needs df > 0, got {}", df);
  if (std::isinf(t)) return 0.0;
  return incomplete_beta(df / 2.0, 0.5, df / (df + t * t));
}

WelchTest welch_t_test(const std::vector<double>& a, const std::vector<double>& b) {
  WelchTest w;
  if (a.empty() || b.empty()) return w;
  w.delta = mean(a) - mean(b);
  if (a.size() < 2 || b.size() < 2) {
    w.t = w.df = std::numeric_limits<double>::quiet_NaN();
    return w;
  }
  w.valid = true;
  const double na = static_cast<double>(a.size()), nb = static_cast<double>(b.size());
  const double va = sample_variance(a) / na, vb = sample_variance(b) / nb, se2 = va + vb;
  if (se2 == 0.0) {
    w.t = w.delta == 0.0 ? 0.0 : std::copysign(std::numeric_limits<double>::infinity(), w.delta);
    w.df = na + nb - 2.0;
    w.p = w.delta == 0.0 ? 1.0 : 0.0;
    return w;
  }
  w.t = w.delta / std::sqrt(se2);
  w.df = se2 * se2 / (va * va / (na - 1.0) + vb * vb / (nb - 1.0));
  w.p = student_t_two_sided_p(w.t, w.df);
  return w;
}

std::vector<Comparison> compare_to_baseline(const std::vector<SummaryRow>& rows, const std::string& baseline,
                                            double alpha) {
  std::vector<Comparison> out;
  bool any_baseline = false;
  for (const auto& r : rows) any_baseline = any_baseline || r.method == baseline;
  PTQ_CHECK(any_baseline, "compare: no runs of the baseline method '{}' in the summarised results", baseline);
  for (const auto& r : rows) {
    if (r.method == baseline) continue;
    const SummaryRow* base = nullptr;
    for (const auto& b : rows)
      if (b.method == baseline && b.run == r.run && (!base || b.config == r.config)) base = &b;
    if (!base) continue;
    Comparison c;
    c.config = r.config;
    c.run = r.run;
    c.method = r.method;
    c.label = r.label;
    c.baseline_config = base->config;
    c.seeds = r.top1.size();
    c.baseline_seeds = base->top1.size();
    c.mean = r.mean();
    c.baseline_mean = base->mean();
    c.delta = c.mean - c.baseline_mean;
    const WelchTest w = welch_t_test(r.top1, base->top1);
    c.t = w.t;
    c.df = w.df;
    c.p = w.p;
    c.verdict = !w.valid ? "too few seeds"
                : w.p < alpha ? (c.delta > 0 ? "higher" : "lower")
                              : "no significant difference";
    out.push_back(c);
  }
  return out;
}

std::string comparison_markdown(const std::vector<Comparison>& cs, const std::string& baseline, double alpha) {
  std::string out = fmt::format(
      "| config | run | method | W/A | top-1 (%) | {} (%) | Δ | Welch t | df | p | verdict (α = {}) |\n"
      "|---|---|---|---|---:|---:|---:|---:|---:|---:|---|\n",
      baseline, alpha);
  for (const auto& c : cs)
    out += fmt::format("| {} | {} | {} | {} | {:.2f} | {:.2f} | {:+.2f} | {:.2f} | {:.1f} | {:.3f} | {} |\n", c.config,
                       c.run, c.method, c.label, c.mean, c.baseline_mean, c.delta, c.t, c.df, c.p, c.verdict);
  return out;
}

}  // namespace ptq
