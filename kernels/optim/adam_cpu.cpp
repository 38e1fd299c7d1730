#include "kernels/optim/adam_cpu.h"

#include "kernels/common/elementwise.h"
#include "kernels/optim/adam_update.h"

namespace ptq::kernels {
namespace {

PTQ_CLONES void adam_span(const AdamCoefficients& c, int64_t n, float* p, const float* g, float* m, float* v) {
  for (int64_t i = 0; i < n; ++i) adam_update(c, g[i], p[i], m[i], v[i]);
}

}  // namespace

void adam_step_cpu(const AdamStepParams& a, int64_t n, float* param, const float* grad, float* exp_avg,
                   float* exp_avg_sq) {
  const AdamCoefficients c = adam_coefficients(a);
  for_each_chunk(1, n, [&](int64_t, int64_t, int64_t off, int64_t len) {
    adam_span(c, len, param + off, grad + off, exp_avg + off, exp_avg_sq + off);
  });
}

}  // namespace ptq::kernels
