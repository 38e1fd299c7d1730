#include "kernels/lp_search/lp_search.h"

#include <cmath>
#include <cstring>
#include <vector>

namespace ptq::kernels {
namespace {

constexpr int64_t kBlock = 2048;  // elements per block: 8 KiB of floats, stays in L1

// Round half to even without a libm call: adding and subtracting 1.5·2^23 rounds in the
// current (default, to-nearest-even) mode for |y| < 2^22; larger values fall back to nearbyint.
inline float round_even(float y) {
  if (std::fabs(y) < 4194304.0f) return (y + 12582912.0f) - 12582912.0f;
  return std::nearbyint(y);
}

// |e|^p for a fixed p > 0 by tables: e = m · 2^k with m in [1, 2), e^p = m^p · 2^(p·k); m^p is
// interpolated linearly from 1024 points (relative error < 1e-7 for p <= 4), 2^(p·k) looked
// up per exponent. Zero and subnormal e give 0 (their contribution is below float resolution).
class PowTable {
 public:
  explicit PowTable(double p) : mant_(kMant + 1), expo_(256) {
    for (int i = 0; i <= kMant; ++i) mant_[i] = static_cast<float>(std::pow(1.0 + static_cast<double>(i) / kMant, p));
    for (int k = 0; k < 256; ++k) expo_[k] = static_cast<float>(std::exp2(p * (k - 127)));
  }
  float operator()(float e) const {
    uint32_t bits;
    std::memcpy(&bits, &e, sizeof bits);
    const uint32_t k = (bits >> 23) & 0xFFu;
    if (k == 0) return 0.0f;
    const uint32_t frac = bits & 0x7FFFFFu;
    const uint32_t idx = frac >> (23 - kMantBits);
    const float t = static_cast<float>(frac & ((1u << (23 - kMantBits)) - 1)) * (1.0f / (1u << (23 - kMantBits)));
    const float m = mant_[idx] + (mant_[idx + 1] - mant_[idx]) * t;
    return m * expo_[k];
  }

 private:
  static constexpr int kMantBits = 10, kMant = 1 << kMantBits;
  std::vector<float> mant_, expo_;
};

}  // namespace

torch::Tensor lp_scores_cpu(const torch::Tensor& xg_in, const torch::Tensor& scale_in,
                            const torch::Tensor& zero_point_in, int64_t qmin, int64_t qmax, double p) {
  TORCH_CHECK(xg_in.dim() == 2 && scale_in.dim() == 2 && zero_point_in.sizes() == scale_in.sizes() &&
                  scale_in.size(1) == xg_in.size(0),
              "lp_scores_cpu: expected xg [groups, G] and scale / zero_point [C, groups]");
  auto xg = xg_in.to(torch::kFloat).contiguous();
  auto scale = scale_in.to(torch::kFloat).contiguous();
  auto zp = zero_point_in.to(torch::kFloat).contiguous();
  const int64_t groups = xg.size(0), n = xg.size(1), cands = scale.size(0);
  auto out = torch::zeros({cands, groups}, torch::kDouble);
  const float* x = xg.data_ptr<float>();
  const float* s = scale.data_ptr<float>();
  const float* z = zp.data_ptr<float>();
  double* o = out.data_ptr<double>();
  const float lo = static_cast<float>(qmin), hi = static_cast<float>(qmax);
  const bool square = p == 2.0;
  const PowTable pow_p(p);
  std::vector<float> block(kBlock);
  for (int64_t g = 0; g < groups; ++g) {
    const float* xr = x + g * n;
    int64_t valid = 0;
    for (int64_t b = 0; b < n; b += kBlock) {
      // Valid elements of this block, packed.
      int64_t m = 0;
      const int64_t end = std::min(n, b + kBlock);
      for (int64_t i = b; i < end; ++i)
        if (!std::isnan(xr[i])) block[m++] = xr[i];
      valid += m;
      for (int64_t c = 0; c < cands; ++c) {
        const float sc = s[c * groups + g], zc = z[c * groups + g];
        auto err = [&](float v) {
          float q = round_even(v / sc) + zc;
          q = q < lo ? lo : (q > hi ? hi : q);
          const float e = std::fabs(v - (q - zc) * sc);
          return static_cast<double>(square ? e * e : pow_p(e));
        };
        // Four independent sums hide the latency of the double additions.
        double a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0;
        int64_t i = 0;
        for (; i + 4 <= m; i += 4) {
          a0 += err(block[i]);
          a1 += err(block[i + 1]);
          a2 += err(block[i + 2]);
          a3 += err(block[i + 3]);
        }
        for (; i < m; ++i) a0 += err(block[i]);
        o[c * groups + g] += (a0 + a1) + (a2 + a3);
      }
    }
    const double inv = valid > 0 ? 1.0 / static_cast<double>(valid) : std::nan("");
    for (int64_t c = 0; c < cands; ++c) o[c * groups + g] *= inv;
  }
  return out;
}

}  // namespace ptq::kernels
