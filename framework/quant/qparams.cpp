#include "framework/quant/qparams.h"

#include <limits>

namespace ptq {

QParams qparams_from_range(const torch::Tensor& min_in, const torch::Tensor& max_in, const QuantSpec& spec) {
  auto mn = min_in.to(torch::kFloat).clamp_max(0.0);
  auto mx = max_in.to(torch::kFloat).clamp_min(0.0);
  auto amax = torch::max(mn.abs(), mx);
  QParams p;
  if (spec.format == NumberFormat::Float) {
    p.scale = (amax / spec.minifloat.max_value()).clamp_min(kMinScale);
    p.zero_point = torch::zeros_like(p.scale);
    return p;
  }
  const double qmin = static_cast<double>(spec.qmin()), qmax = static_cast<double>(spec.qmax());
  if (spec.symmetric) {
    p.scale = (spec.is_signed ? amax / ((qmax - qmin) / 2.0) : mx / qmax).clamp_min(kMinScale);
    p.zero_point = torch::zeros_like(p.scale);
  } else {
    p.scale = ((mx - mn) / (qmax - qmin)).clamp_min(kMinScale);
    p.zero_point = (qmin - torch::round(mn / p.scale)).clamp(qmin, qmax);
  }
  return p;
}

std::pair<torch::Tensor, torch::Tensor> group_min_max(const torch::Tensor& xg) {
  const double inf = std::numeric_limits<double>::infinity();
  auto nan = torch::isnan(xg);
  if (!nan.any().item<bool>()) return {std::get<0>(xg.min(-1)), std::get<0>(xg.max(-1))};
  return {std::get<0>(xg.masked_fill(nan, inf).min(-1)), std::get<0>(xg.masked_fill(nan, -inf).max(-1))};
}

}  // namespace ptq
