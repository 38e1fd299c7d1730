#include "kernels/optim/adam_cpu.h"

#include "kernels/common/elementwise.h"

#include <cmath>

namespace ptq::kernels {
namespace {

struct Coefficients {
  float b1, one_minus_b1, b2, one_minus_b2, inv_sqrt_bc2, eps, step_size;
};

PTQ_CLONES void adam_span(const Coefficients& c, int64_t n, float* p, const float* g, float* m, float* v) {
  for (int64_t i = 0; i < n; ++i) {
    const float gi = g[i];
    const float mi = m[i] * c.b1 + c.one_minus_b1 * gi;
    const float vi = v[i] * c.b2 + c.one_minus_b2 * gi * gi;
    m[i] = mi;
    v[i] = vi;
    p[i] -= c.step_size * mi / (std::sqrt(vi) * c.inv_sqrt_bc2 + c.eps);
  }
}

}  // namespace

void adam_step_cpu(const AdamStepParams& a, int64_t n, float* param, const float* grad, float* exp_avg,
                   float* exp_avg_sq) {
  const double bc1 = 1.0 - std::pow(a.beta1, static_cast<double>(a.step));
  const double bc2 = 1.0 - std::pow(a.beta2, static_cast<double>(a.step));
  const Coefficients c{static_cast<float>(a.beta1),     static_cast<float>(1.0 - a.beta1),
                       static_cast<float>(a.beta2),     static_cast<float>(1.0 - a.beta2),
                       static_cast<float>(1.0 / std::sqrt(bc2)), static_cast<float>(a.eps),
                       static_cast<float>(a.lr / bc1)};
  for_each_chunk(1, n, [&](int64_t, int64_t, int64_t off, int64_t len) {
    adam_span(c, len, param + off, grad + off, exp_avg + off, exp_avg_sq + off);
  });
}

}  // namespace ptq::kernels
