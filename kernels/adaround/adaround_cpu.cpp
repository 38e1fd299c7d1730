// CPU loops of the fused AdaRound (see adaround_cpu.h); branch-free bodies, compiled for
// AVX2 and baseline x86-64 (PTQ_CLONES), partial sums per fixed chunk.
#include "kernels/adaround/adaround_cpu.h"

#include "kernels/common/elementwise.h"

#include <cmath>
#include <vector>

namespace ptq::kernels {
namespace {

struct Span {
  const float *v, *x, *floor;  // floor may be null
  int64_t n;
  float s, z;
  AdaRoundRowsParams p;
};

inline float sigmoid_fast(float v) { return 1.0f / (1.0f + exp_fast(-v)); }

PTQ_CLONES double forward_span(Span a, float* out) {
  const float span = a.p.zeta - a.p.gamma;
  double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  auto body = [&](int64_t i) -> float {
    const float h = std::min(std::max(sigmoid_fast(a.v[i]) * span + a.p.gamma, 0.0f), 1.0f);
    const float base = a.floor ? a.floor[i] : std::floor(a.x[i] / a.s);
    const float q = std::min(std::max(base + h + a.z, a.p.qmin), a.p.qmax);
    out[i] = (q - a.z) * a.s;
    if (a.p.beta <= 0.0f) return 0.0f;
    const float r = 1.0f - pow_fast(std::fabs(h - 0.5f) * 2.0f, a.p.beta);
    return a.x[i] == a.x[i] ? r : 0.0f;  // NaN padding carries no regulariser
  };
  int64_t i = 0;
  for (; i + 8 <= a.n; i += 8)
    for (int j = 0; j < 8; ++j) acc[j] += static_cast<double>(body(i + j));
  for (; i < a.n; ++i) acc[0] += static_cast<double>(body(i));
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

PTQ_CLONES double backward_span(Span a, const float* g, float g_reg, float* dv) {
  const float span = a.p.zeta - a.p.gamma;
  double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  auto body = [&](int64_t i) -> float {
    const float sg = sigmoid_fast(a.v[i]);
    const float hp = sg * span + a.p.gamma;
    const float h = std::min(std::max(hp, 0.0f), 1.0f);
    const float base = a.floor ? a.floor[i] : std::floor(a.x[i] / a.s);
    const float q = base + h + a.z;
    const bool inside = q >= a.p.qmin && q <= a.p.qmax;  // false for NaN padding
    const float gi = g ? g[i] : 0.0f;
    float dh = inside ? gi * a.s : 0.0f;
    if (a.p.beta > 0.0f && g_reg != 0.0f) {
      const float d = h - 0.5f;
      const float u = std::fabs(d) * 2.0f;
      const float up = pow_fast(u, a.p.beta);
      const float du = u > 0.0f ? a.p.beta * up / u : 0.0f;  // β·u^(β−1)
      const float sign = d > 0.0f ? 1.0f : (d < 0.0f ? -1.0f : 0.0f);
      dh -= a.x[i] == a.x[i] ? g_reg * du * sign * 2.0f : 0.0f;
    }
    const bool unclamped = hp >= 0.0f && hp <= 1.0f;
    dv[i] = unclamped ? dh * span * sg * (1.0f - sg) : 0.0f;
    const float qc = std::min(std::max(q, a.p.qmin), a.p.qmax);
    return q == q ? gi * (qc - a.z) : 0.0f;  // ∂out/∂s; NaN padding contributes nothing
  };
  int64_t i = 0;
  for (; i + 8 <= a.n; i += 8)
    for (int j = 0; j < 8; ++j) acc[j] += static_cast<double>(body(i + j));
  for (; i < a.n; ++i) acc[0] += static_cast<double>(body(i));
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

}  // namespace

double adaround_soft_forward_cpu(const AdaRoundRowsParams& p, const float* v, const float* x, const float* fixed_floor,
                                 const float* scale, const float* zero_point, float* out) {
  std::vector<double> partial(static_cast<size_t>(p.rows * chunks_per_row(p.cols)));
  for_each_chunk(p.rows, p.cols, [&](int64_t task, int64_t r, int64_t c0, int64_t n) {
    const int64_t off = r * p.cols + c0;
    Span a{v + off, x + off, fixed_floor ? fixed_floor + off : nullptr, n, scale[r], zero_point[r], p};
    partial[static_cast<size_t>(task)] = forward_span(a, out + off);
  });
  double sum = 0.0;
  for (double d : partial) sum += d;
  return p.beta > 0.0f ? sum : 0.0;
}

void adaround_soft_backward_cpu(const AdaRoundRowsParams& p, const float* grad, double grad_reg, const float* v,
                                const float* x, const float* fixed_floor, const float* scale, const float* zero_point,
                                float* dv, double* dscale) {
  const int64_t per_row = chunks_per_row(p.cols);
  std::vector<double> partial(static_cast<size_t>(p.rows * per_row));
  for_each_chunk(p.rows, p.cols, [&](int64_t task, int64_t r, int64_t c0, int64_t n) {
    const int64_t off = r * p.cols + c0;
    Span a{v + off, x + off, fixed_floor ? fixed_floor + off : nullptr, n, scale[r], zero_point[r], p};
    partial[static_cast<size_t>(task)] =
        backward_span(a, grad ? grad + off : nullptr, static_cast<float>(grad_reg), dv + off);
  });
  if (!dscale) return;
  for (int64_t r = 0; r < p.rows; ++r) {
    double sum = 0.0;
    for (int64_t k = 0; k < per_row; ++k) sum += partial[static_cast<size_t>(r * per_row + k)];
    dscale[r] = sum;
  }
}

}  // namespace ptq::kernels
