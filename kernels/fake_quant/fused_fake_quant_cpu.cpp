// CPU loops of the fused fake-quant (see fused_fake_quant.h). Each loop body is branch-free
// so the compiler vectorises it (PTQ_CLONES: AVX-512, AVX2 and baseline builds, kernels/common). No
// a·b + c may be contracted into an FMA (the forward values must equal the unfused formula):
// this file is built with -ffp-contract=off.
#include "kernels/fake_quant/fused_fake_quant.h"

#include "kernels/common/elementwise.h"

#include <cmath>
#include <vector>

namespace ptq::kernels {
namespace {

// A 32-bit bijective mixer (the finaliser of MurmurHash3): consecutive counters map to
// well-spread values. Two rounds, keyed by the two halves of the seed, decide each element.
inline uint32_t mix32(uint32_t h) {
  h ^= h >> 16;
  h *= 0x85EBCA6Bu;
  h ^= h >> 13;
  h *= 0xC2B2AE35u;
  h ^= h >> 16;
  return h;
}

struct Span {
  const float* x;
  float* out;
  uint8_t* code;
  int64_t n;
  float s, z, lo, hi;
};

// relu(x) where the ReLU is fused in (max(x, 0) keeps a NaN, as torch.relu does), else x.
template <bool kRelu>
inline float activated(float x) {
  return kRelu ? std::max(x, 0.0f) : x;
}
template <bool kRelu>
inline uint8_t relu_flag(float x) {
  return kRelu ? static_cast<uint8_t>(kReluZero * !(x > 0.0f)) : uint8_t{0};
}

template <bool kRelu>
PTQ_CLONES void forward_keep_all(Span a) {
  for (int64_t i = 0; i < a.n; ++i) {
    const float x = activated<kRelu>(a.x[i]);
    const float q = round_half_even(x / a.s) + a.z;
    const float qc = std::min(std::max(q, a.lo), a.hi);
    a.out[i] = (qc - a.z) * a.s;
    a.code[i] = static_cast<uint8_t>(1 + (q < a.lo) + 2 * (q > a.hi) + relu_flag<kRelu>(a.x[i]));
  }
}

// first: the element counter of x[0] (row·cols + column), low 32 bits; key_hi mixes the
// counter's high bits with the seed's.
template <bool kRelu>
PTQ_CLONES void forward_dropping(Span a, uint32_t first, uint32_t key_lo, uint32_t key_hi, uint32_t threshold) {
  for (int64_t i = 0; i < a.n; ++i) {
    const uint32_t h = mix32(mix32((first + static_cast<uint32_t>(i)) ^ key_lo) ^ key_hi);
    const bool keep = h < threshold;
    const float x = activated<kRelu>(a.x[i]);
    const float q = round_half_even(x / a.s) + a.z;
    const float qc = std::min(std::max(q, a.lo), a.hi);
    const float fq = (qc - a.z) * a.s;
    a.out[i] = keep ? fq : x;
    a.code[i] = static_cast<uint8_t>((keep ? 1 + (q < a.lo) + 2 * (q > a.hi) : 0) + relu_flag<kRelu>(a.x[i]));
  }
}

PTQ_CLONES void mix_span(int64_t n, const float* a, const float* b, float* out, uint32_t first, uint32_t key_lo,
                         uint32_t key_hi, uint32_t threshold) {
  for (int64_t i = 0; i < n; ++i) {
    const uint32_t h = mix32(mix32((first + static_cast<uint32_t>(i)) ^ key_lo) ^ key_hi);
    out[i] = h < threshold ? a[i] : b[i];
  }
}

// The keep threshold on 32-bit hashes, and the two keys of a seed for the chunk at offset off.
struct DropStream {
  uint32_t threshold, key_lo, seed_hi;
  DropStream(double keep_prob, uint64_t seed)
      : key_lo(static_cast<uint32_t>(seed)), seed_hi(static_cast<uint32_t>(seed >> 32)) {
    const double t = std::ldexp(std::max(0.0, keep_prob), 32);
    threshold = t >= 4294967295.0 ? 0xFFFFFFFFu : static_cast<uint32_t>(t);
  }
  // The counter of an element is its flat index; the high half (beyond 2^32 elements) is
  // folded into the second key.
  uint32_t key_hi(int64_t off) const { return mix32(seed_hi ^ static_cast<uint32_t>(static_cast<uint64_t>(off) >> 32)); }
};

struct GradSpan {
  const float* g;
  const float* x;
  const uint8_t* code;
  float* dx;
  int64_t n;
  float s, z, lo, hi;
};

// A code passes the gradient when the element was dropped or inside the grid, and the fused
// ReLU (if any) was active: exactly the codes <= kInRange.
PTQ_CLONES void backward_dx(GradSpan a) {
  for (int64_t i = 0; i < a.n; ++i) a.dx[i] = a.code[i] <= kInRange ? a.g[i] : 0.0f;
}

// Σ g·∂out/∂s over the span: float terms per block, summed in double (sum_to_double).
template <bool kRelu>
PTQ_CLONES double backward_dscale(GradSpan a) {
  const float low = a.lo - a.z, high = a.hi - a.z;
  float buf[kSumBlock];
  double total = 0.0;
  for (int64_t b = 0; b < a.n; b += kSumBlock) {
    const int64_t m = std::min(kSumBlock, a.n - b);
    const float *x = a.x + b, *g = a.g + b;
    const uint8_t* c = a.code + b;
    for (int64_t i = 0; i < m; ++i) {
      const float y = activated<kRelu>(x[i]) / a.s;
      const uint8_t ci = kRelu ? static_cast<uint8_t>(c[i] & 3) : c[i];
      const float t = ci == kInRange ? round_half_even(y) - y
                                     : (ci == kClippedLow ? low : (ci == kClippedHigh ? high : 0.0f));
      buf[i] = g[i] * t;
    }
    total += sum_to_double(buf, m);
  }
  return total;
}

}  // namespace

void fused_fake_quant_forward_cpu(const FakeQuantRowsParams& p, const float* x, const float* scale,
                                  const float* zero_point, float* out, uint8_t* code) {
  const bool dropping = p.keep_prob < 1.0;
  const DropStream stream(p.keep_prob, p.seed);
  for_each_chunk(p.rows, p.cols, [&](int64_t, int64_t r, int64_t c0, int64_t n) {
    const int64_t off = r * p.cols + c0;
    Span a{x + off, out + off, code + off, n, scale[r], zero_point[r], p.qmin, p.qmax};
    const uint32_t first = static_cast<uint32_t>(off), key_hi = stream.key_hi(off);
    if (p.relu) {
      if (!dropping) return forward_keep_all<true>(a);
      return forward_dropping<true>(a, first, stream.key_lo, key_hi, stream.threshold);
    }
    if (!dropping) return forward_keep_all<false>(a);
    forward_dropping<false>(a, first, stream.key_lo, key_hi, stream.threshold);
  });
}

void random_mix_cpu(int64_t n, const float* a, const float* b, double keep_prob, uint64_t seed, float* out) {
  const DropStream stream(keep_prob, seed);
  for_each_chunk(1, n, [&](int64_t, int64_t, int64_t off, int64_t len) {
    mix_span(len, a + off, b + off, out + off, static_cast<uint32_t>(off), stream.key_lo, stream.key_hi(off),
             stream.threshold);
  });
}

void random_mix_rows_cpu(int64_t rows, int64_t row_len, const int64_t* idx, const float* a, const float* b,
                         double keep_prob, uint64_t seed, float* out) {
  const DropStream stream(keep_prob, seed);
  for_each_chunk(rows, row_len, [&](int64_t, int64_t r, int64_t c0, int64_t len) {
    const int64_t off = r * row_len + c0, src = idx[r] * row_len + c0;
    mix_span(len, a + src, b + src, out + off, static_cast<uint32_t>(off), stream.key_lo, stream.key_hi(off),
             stream.threshold);
  });
}

void fused_fake_quant_backward_cpu(const FakeQuantRowsParams& p, const float* grad, const float* x,
                                   const float* scale, const float* zero_point, const uint8_t* code, float* dx,
                                   double* dscale) {
  const int64_t per_row = chunks_per_row(p.cols);
  std::vector<double> partial(dscale ? static_cast<size_t>(p.rows * per_row) : 0);
  for_each_chunk(p.rows, p.cols, [&](int64_t task, int64_t r, int64_t c0, int64_t n) {
    const int64_t off = r * p.cols + c0;
    GradSpan a{grad + off, x + off, code + off, dx ? dx + off : nullptr, n, scale[r], zero_point[r], p.qmin, p.qmax};
    if (dx) backward_dx(a);
    if (dscale) partial[static_cast<size_t>(task)] = p.relu ? backward_dscale<true>(a) : backward_dscale<false>(a);
  });
  if (dscale) sum_row_partials(partial, p.rows, per_row, dscale);
}

}  // namespace ptq::kernels
