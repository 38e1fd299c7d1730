// CPU loops of the fused AdaRound (see adaround_cpu.h); branch-free bodies, compiled for
// AVX-512, AVX2 and baseline x86-64 (PTQ_CLONES), partial sums per fixed chunk.
#include "kernels/adaround/adaround_cpu.h"

#include "kernels/common/elementwise.h"
#include "kernels/optim/adam_update.h"

#include <cmath>
#include <cstring>
#include <vector>

namespace ptq::kernels {
namespace {

struct Span {
  const float *v, *x, *floor;  // floor: the frozen ⌊x/s⌋ (kFixed only)
  int64_t n;
  float s, z;
  AdaRoundRowsParams p;
};

inline float sigmoid_fast(float v) { return 1.0f / (1.0f + exp_fast(-v)); }

// The previous iteration's update of V over one span (AdaRoundPendingAdam), pointers at the
// span's first element; dreg is null when that update has no regulariser gradient.
struct AdamSpan {
  AdamCoefficients c;
  const float *grad, *dout, *dreg;
  float grad_reg;
  float *v, *m, *s2;
};

// dV as adaround_soft_backward_saved_cpu computes it, then Adam, for elements [b, b + n),
// n <= kSumBlock. dV goes through an L1 buffer: GCC vectorises the two loops, not one.
PTQ_INLINE void adam_block(const AdamSpan& a, int64_t b, int64_t n) {
  const AdamCoefficients c = a.c;
  const float g_reg = a.grad_reg;
  float dv[kSumBlock];
  const float* g = a.grad + b;
  if (!a.dout) {
    std::memcpy(dv, g, static_cast<size_t>(n) * sizeof(float));
  } else if (a.dreg) {
    const float *da = a.dout + b, *dr = a.dreg + b;
    for (int64_t i = 0; i < n; ++i) dv[i] = g[i] * da[i] - g_reg * dr[i];
  } else {
    const float* da = a.dout + b;
    for (int64_t i = 0; i < n; ++i) dv[i] = g[i] * da[i];
  }
  float *v = a.v + b, *m = a.m + b, *s2 = a.s2 + b;
  for (int64_t i = 0; i < n; ++i) adam_update(c, dv[i], v[i], m[i], s2[i]);
}

// kAdam: the pending update of V is applied block by block just before the block is read
// (the block's factors dout / dreg are read by the update, then overwritten).
template <bool kFixed, bool kReg, bool kSave, bool kAdam>
PTQ_CLONES double forward_span(Span a, const AdamSpan* adam, float* out, float* dout, float* dreg) {
  const float span = a.p.zeta - a.p.gamma;
  float buf[kSumBlock], hb[kSumBlock], dhb[kSumBlock], okb[kSumBlock];
  double total = 0.0;
  for (int64_t b = 0; b < a.n; b += kSumBlock) {
    const int64_t m = std::min(kSumBlock, a.n - b);
    if (kAdam) adam_block(*adam, b, m);
    {
    const float *__restrict v = a.v + b, *__restrict x = a.x + b, *__restrict fl = kFixed ? a.floor + b : nullptr;
    float* __restrict o = out + b;
    for (int64_t i = 0; i < m; ++i) {
      const float sg = sigmoid_fast(v[i]);
      const float hp = sg * span + a.p.gamma;
      const float h = std::min(std::max(hp, 0.0f), 1.0f);
      const float base = kFixed ? fl[i] : floor_fast(x[i] / a.s);
      const float qr = base + h + a.z;
      const float q = std::min(std::max(qr, a.p.qmin), a.p.qmax);
      const bool valid = x[i] == x[i];  // NaN padding: NaN out, no regulariser term
      o[i] = valid ? (q - a.z) * a.s : x[i];
      hb[i] = h;
      okb[i] = valid ? 1.0f : 0.0f;
      if (kSave) {
        // dh/dV, zero where the rectified sigmoid is clipped.
        const float dh = hp >= 0.0f && hp <= 1.0f ? span * sg * (1.0f - sg) : 0.0f;
        dhb[i] = dh;
        dout[b + i] = valid && qr >= a.p.qmin && qr <= a.p.qmax ? a.s * dh : 0.0f;
      }
    }
    }
    if (!kReg) continue;
    for (int64_t i = 0; i < m; ++i) {
      const float c = hb[i] - 0.5f;
      const float u = std::fabs(c) * 2.0f;
      const float r = pow_fast(u, a.p.beta);
      buf[i] = okb[i] != 0.0f ? 1.0f - r : 0.0f;  // a select: V may be NaN on padding
      if (kSave) {
        const float du = u > 0.0f ? a.p.beta * r / u : 0.0f;  // β·u^(β−1)
        const float sign = c > 0.0f ? 1.0f : (c < 0.0f ? -1.0f : 0.0f);
        dreg[b + i] = okb[i] != 0.0f ? du * sign * 2.0f * dhb[i] : 0.0f;
      }
    }
    total += sum_to_double(buf, m);
  }
  return total;
}

template <bool kFixed, bool kReg>
PTQ_CLONES double backward_span(Span a, const float* grad, float g_reg, float* dv) {
  const float span = a.p.zeta - a.p.gamma;
  float buf[kSumBlock];
  double total = 0.0;
  for (int64_t b = 0; b < a.n; b += kSumBlock) {
    const int64_t m = std::min(kSumBlock, a.n - b);
    const float *v = a.v + b, *x = a.x + b, *g = grad + b, *fl = kFixed ? a.floor + b : nullptr;
    float* d = dv + b;
    for (int64_t i = 0; i < m; ++i) {
      const float sg = sigmoid_fast(v[i]);
      const float hp = sg * span + a.p.gamma;
      const float h = std::min(std::max(hp, 0.0f), 1.0f);
      const bool valid = x[i] == x[i];
      const float base = kFixed ? fl[i] : floor_fast(x[i] / a.s);
      const float q = base + h + a.z;
      const bool inside = valid && q >= a.p.qmin && q <= a.p.qmax;
      float dh = inside ? g[i] * a.s : 0.0f;
      if (kReg) {
        const float c = h - 0.5f;
        const float u = std::fabs(c) * 2.0f;
        const float du = u > 0.0f ? a.p.beta * pow_fast(u, a.p.beta) / u : 0.0f;  // β·u^(β−1)
        const float sign = c > 0.0f ? 1.0f : (c < 0.0f ? -1.0f : 0.0f);
        dh -= valid ? g_reg * du * sign * 2.0f : 0.0f;
      }
      d[i] = hp >= 0.0f && hp <= 1.0f ? dh * span * sg * (1.0f - sg) : 0.0f;
      const float qc = std::min(std::max(q, a.p.qmin), a.p.qmax);
      buf[i] = valid ? g[i] * (qc - a.z) : 0.0f;  // ∂out/∂s
    }
    total += sum_to_double(buf, m);
  }
  return total;
}

template <bool kReg, bool kSave, bool kAdam>
double forward_dispatch(const Span& a, const AdamSpan* adam, float* out, float* dout, float* dreg) {
  return a.floor ? forward_span<true, kReg, kSave, kAdam>(a, adam, out, dout, dreg)
                 : forward_span<false, kReg, kSave, kAdam>(a, adam, out, dout, dreg);
}

template <bool kAdam>
double forward_any(bool reg, bool save, const Span& a, const AdamSpan* adam, float* out, float* dout, float* dreg) {
  if (save) return reg ? forward_dispatch<true, true, kAdam>(a, adam, out, dout, dreg)
                       : forward_dispatch<false, true, kAdam>(a, adam, out, dout, dreg);
  return reg ? forward_dispatch<true, false, kAdam>(a, adam, out, dout, dreg)
             : forward_dispatch<false, false, kAdam>(a, adam, out, dout, dreg);
}

AdamSpan adam_span_at(const AdaRoundPendingAdam& p, const AdamCoefficients& c, float* v, int64_t off) {
  const bool reg = p.dout && p.dreg && static_cast<float>(p.grad_reg) != 0.0f;
  return {c, p.grad + off, p.dout ? p.dout + off : nullptr, reg ? p.dreg + off : nullptr, static_cast<float>(p.grad_reg),
          v + off, p.exp_avg + off, p.exp_avg_sq + off};
}

PTQ_CLONES void adam_apply_span(AdamSpan a, int64_t n) {
  for (int64_t b = 0; b < n; b += kSumBlock) adam_block(a, b, std::min(kSumBlock, n - b));
}
template <bool kReg>
double backward_dispatch(const Span& a, const float* g, float g_reg, float* dv) {
  return a.floor ? backward_span<true, kReg>(a, g, g_reg, dv) : backward_span<false, kReg>(a, g, g_reg, dv);
}

PTQ_CLONES void backward_saved_span(int64_t n, const float* g, float g_reg, const float* da, const float* dr, float* dv) {
  if (dr && g_reg != 0.0f)
    for (int64_t i = 0; i < n; ++i) dv[i] = g[i] * da[i] - g_reg * dr[i];
  else
    for (int64_t i = 0; i < n; ++i) dv[i] = g[i] * da[i];
}

}  // namespace

namespace {

double soft_forward(const AdaRoundRowsParams& p, const AdaRoundPendingAdam* pending, float* v_update, const float* v,
                    const float* x, const float* fixed_floor, const float* scale, const float* zero_point, float* out,
                    float* dout, float* dreg) {
  std::vector<double> partial(static_cast<size_t>(p.rows * chunks_per_row(p.cols)));
  const bool reg = p.beta > 0.0f, save = dout != nullptr;
  const AdamCoefficients c = pending ? adam_coefficients(pending->step) : AdamCoefficients{};
  for_each_chunk(p.rows, p.cols, [&](int64_t task, int64_t r, int64_t c0, int64_t n) {
    const int64_t off = r * p.cols + c0;
    Span a{v + off, x + off, fixed_floor ? fixed_floor + off : nullptr, n, scale[r], zero_point[r], p};
    float *o = out + off, *da = save ? dout + off : nullptr, *dr = save && reg ? dreg + off : nullptr;
    double& part = partial[static_cast<size_t>(task)];
    if (pending) {
      const AdamSpan adam = adam_span_at(*pending, c, v_update, off);
      part = forward_any<true>(reg, save, a, &adam, o, da, dr);
    } else {
      part = forward_any<false>(reg, save, a, nullptr, o, da, dr);
    }
  });
  double sum = 0.0;
  for (double d : partial) sum += d;
  return reg ? sum : 0.0;
}

}  // namespace

double adaround_soft_forward_cpu(const AdaRoundRowsParams& p, const float* v, const float* x, const float* fixed_floor,
                                 const float* scale, const float* zero_point, float* out, float* dout, float* dreg) {
  return soft_forward(p, nullptr, nullptr, v, x, fixed_floor, scale, zero_point, out, dout, dreg);
}

double adaround_adam_soft_forward_cpu(const AdaRoundRowsParams& p, const AdaRoundPendingAdam& pending, float* v,
                                      const float* x, const float* fixed_floor, const float* scale,
                                      const float* zero_point, float* out, float* dout, float* dreg) {
  return soft_forward(p, &pending, v, v, x, fixed_floor, scale, zero_point, out, dout, dreg);
}

void adaround_adam_apply_cpu(const AdaRoundRowsParams& p, const AdaRoundPendingAdam& pending, float* v) {
  const AdamCoefficients c = adam_coefficients(pending.step);
  for_each_chunk(p.rows, p.cols, [&](int64_t, int64_t r, int64_t c0, int64_t n) {
    adam_apply_span(adam_span_at(pending, c, v, r * p.cols + c0), n);
  });
}

void adaround_soft_backward_saved_cpu(const AdaRoundRowsParams& p, const float* grad, double grad_reg, const float* dout,
                                      const float* dreg, float* dv) {
  const float g_reg = static_cast<float>(grad_reg);
  for_each_chunk(p.rows, p.cols, [&](int64_t, int64_t r, int64_t c0, int64_t n) {
    const int64_t off = r * p.cols + c0;
    backward_saved_span(n, grad + off, g_reg, dout + off, dreg ? dreg + off : nullptr, dv + off);
  });
}

void adaround_soft_backward_cpu(const AdaRoundRowsParams& p, const float* grad, double grad_reg, const float* v,
                                const float* x, const float* fixed_floor, const float* scale, const float* zero_point,
                                float* dv, double* dscale) {
  const int64_t per_row = chunks_per_row(p.cols);
  std::vector<double> partial(static_cast<size_t>(p.rows * per_row));
  for_each_chunk(p.rows, p.cols, [&](int64_t task, int64_t r, int64_t c0, int64_t n) {
    const int64_t off = r * p.cols + c0;
    Span a{v + off, x + off, fixed_floor ? fixed_floor + off : nullptr, n, scale[r], zero_point[r], p};
    const float g_reg = static_cast<float>(grad_reg);
    partial[static_cast<size_t>(task)] = p.beta > 0.0f && g_reg != 0.0f
                                             ? backward_dispatch<true>(a, grad + off, g_reg, dv + off)
                                             : backward_dispatch<false>(a, grad + off, g_reg, dv + off);
  });
  if (dscale) sum_row_partials(partial, p.rows, per_row, dscale);
}

}  // namespace ptq::kernels
