#include "framework/core/statistics.h"

#include <cmath>

namespace ptq {

double mean(const std::vector<double>& v) {
  double s = 0.0;
  for (double x : v) s += x;
  return v.empty() ? NAN : s / static_cast<double>(v.size());
}

double sample_variance(const std::vector<double>& v) {
  if (v.size() < 2) return 0.0;
  const double m = mean(v);
  double s = 0.0;
  for (double x : v) s += (x - m) * (x - m);
  return s / static_cast<double>(v.size() - 1);
}

double sample_stddev(const std::vector<double>& v) { return std::sqrt(sample_variance(v)); }

}  // namespace ptq
