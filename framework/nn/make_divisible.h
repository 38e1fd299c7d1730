// torchvision's channel rounding (_make_divisible), shared by MobileNetV2 and RegNet:
// the multiple of `divisor` nearest to v (halves round up), at least `divisor`, bumped by one
// `divisor` when rounding went more than 10% below v.
#pragma once

#include <algorithm>
#include <cstdint>

namespace ptq {

inline int64_t make_divisible(double v, int64_t divisor) {
  const auto d = static_cast<double>(divisor);
  int64_t rounded = static_cast<int64_t>(v + d / 2) / divisor * divisor;  // int() truncates, as in Python
  rounded = std::max(divisor, rounded);
  if (static_cast<double>(rounded) < 0.9 * v) rounded += divisor;
  return rounded;
}

}  // namespace ptq
