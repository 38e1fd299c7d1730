#include "kernels/fake_quant/fake_quant.h"

#include <cmath>

namespace ptq::kernels {

torch::Tensor fake_quant_rows_cpu(const torch::Tensor& x_in, const torch::Tensor& scale_in,
                                  const torch::Tensor& zp_in, int64_t qmin, int64_t qmax) {
  const auto x = x_in.contiguous();
  const auto scale = scale_in.contiguous();
  const auto zp = zp_in.contiguous();
  auto y = torch::empty_like(x);
  const int64_t rows = x.size(0), cols = x.size(1);
  const float* px = x.data_ptr<float>();
  const float* ps = scale.data_ptr<float>();
  const float* pz = zp.data_ptr<float>();
  float* py = y.data_ptr<float>();
  const float lo = static_cast<float>(qmin), hi = static_cast<float>(qmax);
  for (int64_t r = 0; r < rows; ++r) {
    const float s = ps[r], z = pz[r];
    for (int64_t c = 0; c < cols; ++c) {
      float q = std::nearbyint(px[r * cols + c] / s) + z;  // default FP env: round-half-even
      q = std::min(std::max(q, lo), hi);
      py[r * cols + c] = (q - z) * s;
    }
  }
  return y;
}

}  // namespace ptq::kernels
