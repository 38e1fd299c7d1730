// Building blocks of ptq's fused CPU element-wise kernels:
//  - for_each_chunk(): splits [rows, cols] into tasks of at most kChunk elements that never
//    cross a row and runs them with at::parallel_for. The task boundaries depend only on the
//    shape, so per-task partial sums combined in task order are the same for any thread count.
//    at::parallel_for only runs in parallel where the caller is compiled with OpenMP (ptq_kernels is).
//  - round_half_even(): round to nearest, ties to even, with two additions (vectorisable).
//  - exp_fast(), log2_fast(), exp2_fast(), pow_fast(): branch-free float approximations
//    (relative error below 3e-7 over the ranges used) that the compiler vectorises, where the
//    libm calls would force scalar code. They are used for AdaRound's sigmoid and |·|^β.
//  - PTQ_CLONES: compile a hot loop for AVX-512, AVX2 and baseline x86-64; the loader picks one
//    (PTQ_INLINE helpers are compiled into each).
//    Sources with clones are compiled with -ffp-contract=off (kernels/CMakeLists.txt): the
//    AVX-512 target implies FMA, and without contraction every clone computes the same floats.
#pragma once

#include <ATen/Parallel.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define PTQ_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define PTQ_CLONES
#endif

// For helpers called from PTQ_CLONES loops: inlined into each clone, so compiled for its target.
#if defined(__GNUC__)
#define PTQ_INLINE inline __attribute__((always_inline))
#else
#define PTQ_INLINE inline
#endif

namespace ptq::kernels {

constexpr int64_t kChunk = 1 << 15;

inline int64_t chunks_per_row(int64_t cols) { return std::max<int64_t>(1, (cols + kChunk - 1) / kChunk); }

// fn(task, row, first_column, length) for every task, in parallel; task = row·chunks_per_row + k.
template <class Fn>
void for_each_chunk(int64_t rows, int64_t cols, const Fn& fn) {
#if AT_PARALLEL_OPENMP && !defined(_OPENMP)
  // at::parallel_for would silently run on one thread (see cmake/dependencies.cmake).
  static_assert(sizeof(Fn) == 0, "code using for_each_chunk must be compiled with OpenMP (link OpenMP::OpenMP_CXX)");
#endif
  const int64_t per_row = chunks_per_row(cols);
  const int64_t grain = std::max<int64_t>(1, kChunk / std::max<int64_t>(1, cols));
  at::parallel_for(0, rows * per_row, grain, [&](int64_t b, int64_t e) {
    for (int64_t t = b; t < e; ++t) {
      const int64_t r = t / per_row, c0 = (t % per_row) * kChunk;
      fn(t, r, c0, std::min(kChunk, cols - c0));
    }
  });
}

// out[r] = Σ over k of partial[r·per_row + k], in k order: per-row totals of the per-task
// partial sums of for_each_chunk (deterministic for any thread count).
inline void sum_row_partials(const std::vector<double>& partial, int64_t rows, int64_t per_row, double* out) {
  for (int64_t r = 0; r < rows; ++r) {
    double sum = 0.0;
    for (int64_t k = 0; k < per_row; ++k) sum += partial[static_cast<size_t>(r * per_row + k)];
    out[r] = sum;
  }
}

// Exact for |y| < 2^22 in the default rounding mode; larger |y| are returned nearly
// unchanged, which callers clamp to an integer grid far smaller than that.
inline float round_half_even(float y) { return (y + 12582912.0f) - 12582912.0f; }

inline float bits_to_float(uint32_t b) {
  float f;
  std::memcpy(&f, &b, sizeof f);
  return f;
}
inline uint32_t float_to_bits(float f) {
  uint32_t b;
  std::memcpy(&b, &f, sizeof b);
  return b;
}

// 2^x for x in [-126, 127] (clamped): x = n + f with n integer and |f| <= 0.5; 2^f by a
// degree-6 polynomial (Taylor series of e^(f·ln2), error < 1.5e-7 on |f| <= 0.5), 2^n by
// writing the exponent field.
inline float exp2_fast(float x) {
  x = std::min(std::max(x, -126.0f), 127.0f);
  const float n = round_half_even(x);
  const float f = x - n;
  float p = 1.5403530e-4f;  // ln2^6 / 720
  p = p * f + 1.3333558e-3f;  // ln2^5 / 120
  p = p * f + 9.6181291e-3f;  // ln2^4 / 24
  p = p * f + 5.5504109e-2f;  // ln2^3 / 6
  p = p * f + 2.4022651e-1f;  // ln2^2 / 2
  p = p * f + 6.9314718e-1f;  // ln2
  p = p * f + 1.0f;
  const uint32_t scale = static_cast<uint32_t>(static_cast<int32_t>(n) + 127) << 23;
  return p * bits_to_float(scale);
}

inline float exp_fast(float x) { return exp2_fast(x * 1.44269504f); }

// log2(x) for finite x > 0: x = m·2^e with m in [0.75, 1.5); log2(m) = 2/ln2 · atanh(t),
// t = (m − 1)/(m + 1), |t| < 0.2, by its odd series to t^11 (error < 1e-9).
inline float log2_fast(float x) {
  const uint32_t b = float_to_bits(x);
  int32_t e = static_cast<int32_t>((b >> 23) & 0xFF) - 127;
  float m = bits_to_float((b & 0x7FFFFFu) | 0x3F800000u);  // [1, 2)
  const bool big = m >= 1.5f;
  m = big ? m * 0.5f : m;
  e += big ? 1 : 0;
  const float t = (m - 1.0f) / (m + 1.0f);
  const float t2 = t * t;
  float s = 1.0f / 11.0f;
  s = s * t2 + 1.0f / 9.0f;
  s = s * t2 + 1.0f / 7.0f;
  s = s * t2 + 1.0f / 5.0f;
  s = s * t2 + 1.0f / 3.0f;
  s = s * t2 + 1.0f;
  return static_cast<float>(e) + 2.88539008f * t * s;  // 2/ln2
}

// ⌊y⌋ without libm (vectorisable without SSE4.1): round to nearest, minus one where that
// went up. Exact for |y| < 2^22 (callers floor values on small integer grids); NaN stays NaN.
inline float floor_fast(float y) {
  const float r = round_half_even(y);
  return r > y ? r - 1.0f : r;
}

// Σ buf[0, n) in double: eight lanes (explicit vectors, so the compiler need not reassociate)
// combined in a fixed order — deterministic and vectorised on every target.
inline double sum_to_double(const float* buf, int64_t n) {
  typedef float v4f __attribute__((vector_size(16)));
  typedef double v4d __attribute__((vector_size(32)));
  v4d a0 = {0, 0, 0, 0}, a1 = {0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    v4f f0, f1;
    std::memcpy(&f0, buf + i, sizeof f0);
    std::memcpy(&f1, buf + i + 4, sizeof f1);
    a0 += __builtin_convertvector(f0, v4d);
    a1 += __builtin_convertvector(f1, v4d);
  }
  double s = ((a0[0] + a1[0]) + (a0[1] + a1[1])) + ((a0[2] + a1[2]) + (a0[3] + a1[3]));
  for (; i < n; ++i) s += static_cast<double>(buf[i]);
  return s;
}

constexpr int64_t kSumBlock = 256;  // floats per sum_to_double block (stays in L1)

// u^beta for u >= 0 (0 for u = 0 or subnormal u).
inline float pow_fast(float u, float beta) {
  const float r = exp2_fast(beta * log2_fast(u));
  return u >= 1.17549435e-38f ? r : 0.0f;
}

}  // namespace ptq::kernels
