#include "framework/quant/fake_quant.h"

#include "framework/quant/grouping.h"

#include <cmath>

namespace ptq {

torch::Tensor round_ste(const torch::Tensor& x) { return x + (torch::round(x) - x).detach(); }

torch::Tensor scale_grad(const torch::Tensor& s, double g) {
  auto sg = s * g;
  return (s - sg).detach() + sg;
}

torch::Tensor fake_quant_int_grouped(const torch::Tensor& xg, const torch::Tensor& scale,
                                     const torch::Tensor& zero_point, int64_t qmin, int64_t qmax) {
  auto s = scale.unsqueeze(-1);
  auto z = zero_point.unsqueeze(-1);
  auto q = torch::clamp(round_ste(xg / s) + z, static_cast<double>(qmin), static_cast<double>(qmax));
  return (q - z) * s;
}

torch::Tensor round_to_minifloat(const torch::Tensor& y, const MiniFloat& f) {
  const double maxv = f.max_value();
  auto a = y.abs().clamp_max(maxv);
  // Exponent of each value's binade, floored at the smallest normal exponent so that small
  // values land on the (uniform) subnormal grid.
  auto e = torch::floor(torch::log2(a.clamp_min(f.min_normal()))).clamp_min(f.min_exponent());
  auto step = torch::pow(2.0, e - f.man_bits);
  auto q = torch::round(a / step) * step;
  if (!f.subnormals) {
    // Without subnormals the only values below min_normal are 0 and min_normal itself.
    const double mn = f.min_normal();
    q = torch::where(a < mn, torch::where(a >= mn / 2, torch::full_like(a, mn), torch::zeros_like(a)), q);
  }
  q = q.clamp_max(maxv);
  return torch::sign(y) * q;
}

torch::Tensor fake_quant_float_grouped(const torch::Tensor& xg, const torch::Tensor& scale,
                                       const MiniFloat& f) {
  auto s = scale.unsqueeze(-1);
  const double maxv = f.max_value();
  auto y = torch::clamp(xg / s, -maxv, maxv);
  auto q = y + (round_to_minifloat(y.detach(), f) - y).detach();
  return q * s;
}

torch::Tensor fake_quant_grouped(const torch::Tensor& xg, const torch::Tensor& scale,
                                 const torch::Tensor& zero_point, const QuantSpec& spec) {
  if (spec.format == NumberFormat::Float) return fake_quant_float_grouped(xg, scale, spec.minifloat);
  return fake_quant_int_grouped(xg, scale, zero_point, spec.qmin(), spec.qmax());
}

torch::Tensor fake_quant(const torch::Tensor& x, const torch::Tensor& scale,
                         const torch::Tensor& zero_point, const QuantSpec& spec) {
  const auto layout = group_layout(spec, x.sizes());
  return from_groups(fake_quant_grouped(to_groups(x, layout), scale, zero_point, spec), layout);
}

}  // namespace ptq
