#include "methods/cbq/outliers.h"

#include "framework/core/check.h"

#include <algorithm>
#include <vector>

namespace ptq::methods {
namespace {

// Linear-interpolated quantile of sorted values (numpy's default method).
double quantile(const std::vector<double>& sorted, double q) {
  const double pos = q * static_cast<double>(sorted.size() - 1);
  const size_t lo = static_cast<size_t>(pos);
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (pos - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

std::vector<double> sorted_values(const torch::Tensor& values) {
  const auto v = values.detach().to(torch::kDouble).flatten().contiguous();
  PTQ_CHECK(v.numel() > 0, "outlier detection on an empty tensor");
  PTQ_CHECK(torch::isfinite(v).all().item<bool>(), "outlier detection: the values hold NaN or Inf");
  std::vector<double> out(v.data_ptr<double>(), v.data_ptr<double>() + v.numel());
  std::sort(out.begin(), out.end());
  return out;
}

double threshold_of(const std::vector<double>& s, double lambda1) {
  const double q1 = quantile(s, 0.25), q3 = quantile(s, 0.75);
  return q3 + lambda1 * (q3 - q1);
}

}  // namespace

double quartile_threshold(const torch::Tensor& values, double lambda1) {
  return threshold_of(sorted_values(values), lambda1);
}

OutlierSplit find_outliers(const torch::Tensor& values, double lambda1, double lambda2) {
  const auto s = sorted_values(values);
  OutlierSplit r;
  r.threshold = threshold_of(s, lambda1);
  const auto first = std::upper_bound(s.begin(), s.end(), r.threshold);
  const std::vector<double> c(first, s.end());
  r.candidates = static_cast<int64_t>(c.size());
  r.clip_to = r.threshold;
  if (c.empty()) return r;
  // Prefix sums for O(1) means and variances of c[0:k) and c[k:m).
  const size_t m = c.size();
  std::vector<double> sum(m + 1, 0.0), sq(m + 1, 0.0);
  for (size_t i = 0; i < m; ++i) sum[i + 1] = sum[i] + c[i], sq[i + 1] = sq[i] + c[i] * c[i];
  auto stats = [&](size_t b, size_t e) {  // mean, variance of c[b:e)
    const double n = static_cast<double>(e - b), mean = (sum[e] - sum[b]) / n;
    return std::pair<double, double>{mean, std::max(0.0, (sq[e] - sq[b]) / n - mean * mean)};
  };
  double best = -std::numeric_limits<double>::infinity();
  size_t best_k = 0;
  for (size_t k = 0; k < m; ++k) {  // A = c[0:k), B = c[k:m)
    const auto [mb, vb] = stats(k, m);
    double ma = r.threshold, va = 0.0;
    if (k > 0) std::tie(ma, va) = stats(0, k);
    const double score = (mb - ma) - lambda2 * (va + vb);
    if (score > best) best = score, best_k = k;
  }
  r.outliers = static_cast<int64_t>(m - best_k);
  r.clip_to = best_k > 0 ? c[best_k - 1] : r.threshold;
  return r;
}

}  // namespace ptq::methods
