#include "tests/support/tensors.h"

#include <fmt/format.h>

#include <sstream>

namespace ptq::test {

std::string compare(const torch::Tensor& a, const torch::Tensor& b, double rtol, double atol) {
  if (a.sizes() != b.sizes()) {
    std::ostringstream os;
    os << "shape mismatch: " << a.sizes() << " vs " << b.sizes();
    return os.str();
  }
  auto ad = a.detach().to(torch::kDouble), bd = b.detach().to(torch::kDouble);
  auto diff = (ad - bd).abs();
  auto tol = atol + rtol * bd.abs();
  auto bad = diff > tol;
  if (!bad.any().item<bool>()) return "";
  const int64_t idx = (diff - tol).flatten().argmax().item<int64_t>();
  std::ostringstream os;
  os << "tensors differ: shape " << a.sizes() << " dtype " << a.dtype() << "; "
     << bad.sum().item<int64_t>() << " elements out of tolerance (rtol " << rtol << ", atol " << atol
     << "); worst at flat index " << idx << ": " << ad.flatten()[idx].item<double>() << " vs "
     << bd.flatten()[idx].item<double>();
  return os.str();
}

double nmse(const torch::Tensor& a, const torch::Tensor& b) {
  auto ad = a.detach().to(torch::kDouble), bd = b.detach().to(torch::kDouble);
  return ((ad - bd).pow(2).sum() / bd.pow(2).sum().clamp_min(1e-300)).item<double>();
}

double sqnr_db(const torch::Tensor& approx, const torch::Tensor& ref) {
  return -10.0 * std::log10(std::max(nmse(approx, ref), 1e-300));
}

}  // namespace ptq::test
