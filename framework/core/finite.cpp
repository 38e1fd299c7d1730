#include "framework/core/finite.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <vector>

namespace ptq {

bool all_finite(const torch::Tensor& t) {
  if (!t.defined() || t.numel() == 0 || !t.is_floating_point()) return true;
  return torch::isfinite(t.detach()).all().item<bool>();
}

std::string nonfinite_summary(const torch::Tensor& t) {
  if (all_finite(t)) return "";
  const auto bad = torch::logical_not(torch::isfinite(t.detach()));
  const int64_t count = bad.sum().item<int64_t>();
  const int64_t flat = bad.reshape({-1}).nonzero().select(1, 0)[0].item<int64_t>();
  std::vector<int64_t> index(static_cast<size_t>(t.dim()));
  int64_t rest = flat;
  for (int64_t d = t.dim() - 1; d >= 0; --d) {
    index[static_cast<size_t>(d)] = rest % t.size(d);
    rest /= t.size(d);
  }
  const double first = t.detach().reshape({-1})[flat].item<double>();
  return fmt::format("{} of {} values are not finite (first: {} at [{}])", count, t.numel(), first,
                     fmt::join(index, ", "));
}

}  // namespace ptq
