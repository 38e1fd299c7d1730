// One element of PyTorch's Adam update (kernels/optim/adam_cpu.h), shared by the plain Adam
// pass and by kernels that fold the update of AdaRound's V into another pass
// (kernels/adaround/adaround_cpu.h), so that both compute the same floats. Sources that use
// it are compiled without a·b + c contraction (kernels/CMakeLists.txt).
#pragma once

#include "kernels/common/elementwise.h"
#include "kernels/optim/adam_cpu.h"

#include <cmath>

namespace ptq::kernels {

struct AdamCoefficients {
  float b1, one_minus_b1, b2, one_minus_b2, inv_sqrt_bc2, eps, step_size;
};

inline AdamCoefficients adam_coefficients(const AdamStepParams& a) {
  const double bc1 = 1.0 - std::pow(a.beta1, static_cast<double>(a.step));
  const double bc2 = 1.0 - std::pow(a.beta2, static_cast<double>(a.step));
  return {static_cast<float>(a.beta1),     static_cast<float>(1.0 - a.beta1),
          static_cast<float>(a.beta2),     static_cast<float>(1.0 - a.beta2),
          static_cast<float>(1.0 / std::sqrt(bc2)), static_cast<float>(a.eps),
          static_cast<float>(a.lr / bc1)};
}

// p ← p − step·m̂ / (√v̂ + ε) after the moment updates, for one element with gradient g.
PTQ_INLINE void adam_update(const AdamCoefficients& c, float g, float& p, float& m, float& v) {
  const float mi = m * c.b1 + c.one_minus_b1 * g;
  const float vi = v * c.b2 + c.one_minus_b2 * g * g;
  m = mi;
  v = vi;
  p -= c.step_size * mi / (std::sqrt(vi) * c.inv_sqrt_bc2 + c.eps);
}

}  // namespace ptq::kernels
