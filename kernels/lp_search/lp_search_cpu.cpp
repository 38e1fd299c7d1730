// Fused Lp scoring of candidate quantisation grids (see lp_search.h for the contract).
//
// Structure. Per group, the valid (non-NaN) elements of a block of kBlock = 2048 elements are
// packed into an 8 KiB buffer that stays in L1 — exact zeros are not stored but counted, since
// they all have the same error — and every candidate is scored on the block before the next
// block is read. Per block and candidate a "block function" returns the double sum of
// |x − Q(x)|^p over the packed elements, and the zeros add count·|0 − Q(0)|^p (0 whenever the
// zero point lies on the grid, the common case). The sums are added per candidate in block
// order, so the result depends on nothing but the input (bit-identical from call to call).
// Groups and runs of candidates are scored in parallel (at::parallel_for); each score is
// summed by one task, so the thread count changes nothing either.
//
// Two block functions compute the same thing:
//  * AVX2 + FMA (x86-64 with GCC/Clang, chosen at run time with __builtin_cpu_supports): the
//    fake-quant error of 8 elements at a time with _mm256_div_ps (true division),
//    _mm256_round_ps (half to even), + z, clamp, (q − z)·s, |x − x̂|, each step rounded in
//    float32 exactly as the scalar formula (this file is compiled with -ffp-contract=off, see
//    kernels/CMakeLists.txt, so no multiply and add are fused there; FMA is used only through
//    explicit intrinsics in the |e|^p arithmetic); |e|^p as below, summed in double in four
//    independent accumulators; the last 1..7 elements by masked load. For p != 2 a block is
//    processed in four passes over L1-resident buffers (errors; log part; exponent split; exp
//    part and sums): loops with short dependency chains keep more vectors in flight on the
//    out-of-order core than fewer, longer loop bodies (measured 10–30% faster on Zen 3 than
//    two or three passes or one interleaved loop).
//  * scalar (any CPU, any compiler): the same formula and |e|^p algorithm (the combination
//    steps in double instead of FMA) in plain loops over the block — errors, powers, sums in
//    eight accumulators — written branch-free so that the compiler vectorises them with the
//    baseline instruction set (SSE2 on x86-64; the file is compiled with -fno-trapping-math so
//    that the selects can be if-converted).
//
// |e|^p, e >= 0:
//  * p == 2: e·e in double, exact for a float e (48-bit product), as in the tensor-op reference.
//  * otherwise e^p = 2^(p·log2 e):
//      e = 2^k · m with m in [√½, √2), from the float bits; t = m − 1 (exact);
//      ln m = t + t²·(t·P(t) − ½), P a degree-7 near-minimax polynomial (|error| < 1.3e-8);
//      2^r = 1 + r·Q(r) for r in [−½, ½], Q a degree-5 near-minimax polynomial (relative error
//      < 8e-9); both evaluated by Estrin's scheme.
//      AVX2: y = (p/ln 2)·ln m with the polynomial coefficients premultiplied by p/ln 2 (once
//      per call) and a single rounding, y = fma(t, c, t²·(…)); n = round(k·p + y) and
//      r = (k·p_f − n, one rounding by FMA) + y + k·p_lo, where p = p_f + p_lo; |r| <~ ½.
//      Scalar: y = (t + w)·(p/ln 2) + k·p in double, n = round(y), r = float(y − n).
//      e^p = (1 + r·Q(r))·2^n as a double built from bits (AVX2: a float x in [½, 2) with bits
//      b is the double with bits (b << 29) + (896 << 52), so the 64-bit lane
//      (b << 29) + ((n + 896) << 52) is x·2^n; the field n + 896 is clamped to [0, 1919]).
//      So e^p neither overflows nor underflows in float; only e^p above 2^1024 (p·log2 e >
//      1023, possible for p > 7.9) is clamped and e^p below ~2^-1021 is flushed to 0.
//    Error: an absolute error δ of the exponent p·log2 e is a relative error δ·ln 2 of e^p.
//    The AVX2 path rounds y, k·p_f − n, r and 1 + r·Q once each and carries the polynomial
//    errors; measured on 2·10^7 log-uniform e over the whole float range its maximum relative
//    error is 1.44e-7 for p = 2.4 and 1.5e-7 for p <= 4 (2.1e-7 at p = 6: the rounding of y
//    grows with p); the scalar path's is 1.0e-7 for p <= 6.
//    tests/kernels/test_lp_search.cpp checks < 2.5e-7 for p from 0.5 to 4. The errors have no
//    sign bias (mean < 3e-9), so a mean over many elements is far more accurate. (The table
//    version this replaces — linear interpolation of m^p in 1024 steps — was off by up to
//    5.5e-7 for p = 2.4, with a mean bias of +1.5e-7.)
//    Zero and subnormal e give 0 (e = 0 is exact; a subnormal e^p is below 1e-90 for p >= 2.4).
//    Infinite or NaN e arise only from infinite data or a degenerate candidate (s = 0, s or z
//    not finite); the AVX2 block function checks the block's max |x| and the candidate and
//    hands such blocks to the scalar path, which uses std::pow for those elements.
#include "kernels/lp_search/lp_search.h"
#include "kernels/lp_search/lp_search_internal.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#if !defined(__CUDACC__) && (defined(__GNUC__) || defined(__clang__)) && defined(__x86_64__)
#define PTQ_LP_HAVE_AVX2 1
#include <immintrin.h>
#define PTQ_LP_AVX2 __attribute__((target("avx2,fma")))
#define PTQ_LP_AVX2_INLINE __attribute__((target("avx2,fma"), always_inline)) inline
#define PTQ_LP_AVX2_LAMBDA __attribute__((target("avx2,fma"), always_inline))
#else
#define PTQ_LP_HAVE_AVX2 0
#endif

namespace ptq::kernels {
namespace lp_search_detail {
namespace {

constexpr int64_t kBlock = 2048;  // elements per block: 8 KiB of floats, stays in L1
// Candidates scored per parallel task (a group's candidates are split into runs of about this
// many, so that one per-tensor group — a single activation — still keeps every thread busy).
constexpr int64_t kCandidatesPerTask = 32;

// ln(1 + t) = t − t²/2 + t³·P(t) on t in [√½ − 1, √2 − 1], P(t) = Σ kLnP[i]·t^i (|error| of
// ln < 1.3e-8). 2^r = 1 + r·Q(r) on r in [−½, ½], Q(r) = Σ kExp2Q[i]·r^i (relative error
// < 8e-9). Near-minimax coefficients (Chebyshev fits of the remainders).
constexpr float kLnP[8] = {3.3333330728e-01f, -2.5000306423e-01f, 2.0001045094e-01f, -1.6641281463e-01f,
                           1.4214495924e-01f, -1.2998183764e-01f, 1.2622319849e-01f, -7.9027437724e-02f};
constexpr float kExp2Q[6] = {6.9314718803e-01f, 2.4022650761e-01f, 5.5503571142e-02f,
                             9.6180825573e-03f, 1.3390863365e-03f, 1.5453162945e-04f};
// e = 2^k · m with m in [√½, √2), for every e >= 0 with bits below 0x7F800000: with
// u = bits(e) + kMantShift (unsigned), k = (u >> 23) − 128 and bits(m) = (u & 0x7FFFFF) +
// kSqrtHalfBits; equivalently with i = bits(e) − kSqrtHalfBits, k = i >> 23 (arithmetic).
constexpr int32_t kSqrtHalfBits = 0x3F3504F3;                // √½ as float bits
constexpr uint32_t kMantShift = 0x40000000u - kSqrtHalfBits;  // 0x00CAFB0D
// 2^52 + 1023: added to an integer-valued double n in [−1023, 1023], its low mantissa bits are
// n + 1023, which shifted left by 52 are the bits of 2^n (+0 for n = −1023).
constexpr double kExpMagic = 4503599627371519.0;

// Everything about p, computed once per call (nothing depends on the data or the candidate).
struct PowParams {
  double p = 2.0;
  bool square = true;  // p == 2: e·e in double
  double c = 0.0;      // p / ln 2
  // For the AVX2 path: p = p_f + p_lo and c = c_f + c_lo as float pairs, c/2 and c·kLnP.
  float p_f = 0.0f, p_lo = 0.0f, c_f = 0.0f, c_lo = 0.0f, c_half = 0.0f;
  float c_lnp[8] = {};
};

PowParams make_pow_params(double p) {
  PowParams pp;
  pp.p = p;
  pp.square = p == 2.0;
  pp.c = p / std::log(2.0);
  pp.p_f = static_cast<float>(p);
  pp.p_lo = static_cast<float>(p - static_cast<double>(pp.p_f));
  pp.c_f = static_cast<float>(pp.c);
  pp.c_lo = static_cast<float>(pp.c - static_cast<double>(pp.c_f));
  pp.c_half = static_cast<float>(pp.c / 2);
  for (int i = 0; i < 8; ++i) pp.c_lnp[i] = static_cast<float>(pp.c * kLnP[i]);
  return pp;
}

inline int32_t float_bits(float f) {
  int32_t b;
  std::memcpy(&b, &f, sizeof b);
  return b;
}
inline float bits_float(int32_t b) {
  float f;
  std::memcpy(&f, &b, sizeof f);
  return f;
}

// Round half to even, branch-free and without libm: for |y| < 2^23, |y| + 2^23 lies in
// [2^23, 2^24) where the spacing is 1, so the addition rounds (to nearest even, the default
// mode); larger |y| (already integers), infinities and NaN are returned unchanged. Equal to
// _mm256_round_ps(y, _MM_FROUND_TO_NEAREST_INT) for every y, signed zeros included.
inline float round_even(float y) {
  const float a = std::fabs(y);
  const float r = std::copysign((a + 8388608.0f) - 8388608.0f, y);
  return a < 8388608.0f ? r : y;
}
inline double round_even(double y) {
  const double a = std::fabs(y);
  const double r = std::copysign((a + 4503599627370496.0) - 4503599627370496.0, y);
  return a < 4503599627370496.0 ? r : y;
}

// The fake-quant error of one element, float32 step by step (NaN propagates through the clamp).
inline float quant_err(float v, float s, float z, float lo, float hi) {
  float q = round_even(v / s) + z;
  q = q < lo ? lo : (q > hi ? hi : q);
  return std::fabs(v - (q - z) * s);
}

// |e|^p for finite e >= 0 without FMA (the scalar path; see the top of the file), branch-free
// so that loops over it can be vectorised with the baseline instruction set. Meaningless for
// an infinite or NaN e (callers substitute std::pow).
inline double pow_lane(float e, const PowParams& pp) {
  const int32_t bits = float_bits(e);
  const uint32_t u = static_cast<uint32_t>(bits) + kMantShift;
  const int32_t k = static_cast<int32_t>(u >> 23) - 128;
  const float t = bits_float(static_cast<int32_t>(u & 0x7FFFFFu) + kSqrtHalfBits) - 1.0f;
  const float t2 = t * t, t4 = t2 * t2;
  const float b0 = kLnP[0] + kLnP[1] * t, b1 = kLnP[2] + kLnP[3] * t;
  const float b2 = kLnP[4] + kLnP[5] * t, b3 = kLnP[6] + kLnP[7] * t;
  const float poly = (b0 + b1 * t2) + (b2 + b3 * t2) * t4;
  const float w = t2 * (t * poly - 0.5f);  // ln m = t + w
  const double y = (static_cast<double>(t) + static_cast<double>(w)) * pp.c + static_cast<double>(k) * pp.p;
  double n = round_even(y);
  const float r = static_cast<float>(y - n);
  const float r2 = r * r;
  const float q0 = kExp2Q[0] + kExp2Q[1] * r, q1 = kExp2Q[2] + kExp2Q[3] * r, q2 = kExp2Q[4] + kExp2Q[5] * r;
  const float rq = r * (q0 + r2 * (q1 + r2 * q2));  // 2^r − 1
  n = bits > 0x007FFFFF ? std::min(std::max(n, -1023.0), 1023.0) : -1023.0;  // zero, subnormal e: 2^n = +0
  const double nb = n + kExpMagic;
  uint64_t scale_bits;
  std::memcpy(&scale_bits, &nb, sizeof nb);
  scale_bits <<= 52;
  double scale;
  std::memcpy(&scale, &scale_bits, sizeof scale);
  return (1.0 + static_cast<double>(rq)) * scale;
}

inline bool pow_special(float e) { return float_bits(e) > 0x7F7FFFFF; }  // e infinite or NaN

// |e|^p of a single value on the scalar path (std::pow for infinite / NaN e).
double pow_one(float e, const PowParams& pp) {
  if (pp.square) return static_cast<double>(e) * static_cast<double>(e);
  return pow_special(e) ? std::pow(static_cast<double>(e), pp.p) : pow_lane(e, pp);
}

// One block, one candidate: sum over v[0..m) of |v − Q(v)|^p; xmax = max |v| (unused here).
// Two passes over the block (errors, then their powers into `term`) and the sum in eight
// accumulators: simple loops that the compiler vectorises with the baseline instruction set.
template <bool kSquare>
double block_scalar(const float* v, int64_t m, float /*xmax*/, float s, float z, float lo, float hi,
                    const PowParams& pp) {
  constexpr int L = 8;
  float err[kBlock];
  double term[kBlock + L];
  for (int64_t i = 0; i < m; ++i) err[i] = quant_err(v[i], s, z, lo, hi);
  if constexpr (kSquare) {
    for (int64_t i = 0; i < m; ++i) term[i] = static_cast<double>(err[i]) * static_cast<double>(err[i]);
  } else {
    int32_t special = 0;
    for (int64_t i = 0; i < m; ++i) special |= static_cast<int32_t>(pow_special(err[i]));
    for (int64_t i = 0; i < m; ++i) term[i] = pow_lane(err[i], pp);
    if (special != 0) {
      for (int64_t i = 0; i < m; ++i) {
        if (pow_special(err[i])) term[i] = std::pow(static_cast<double>(err[i]), pp.p);
      }
    }
  }
  const int64_t padded = (m + L - 1) / L * L;
  for (int64_t i = m; i < padded; ++i) term[i] = 0.0;
  double acc[L] = {};
  for (int64_t i = 0; i < padded; i += L) {
    for (int l = 0; l < L; ++l) acc[l] += term[i + l];
  }
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

#if PTQ_LP_HAVE_AVX2

#define PTQ_LP_FOR_U(j) _Pragma("GCC unroll 8") for (int j = 0; j < U; ++j)

// Broadcast constants of one candidate.
struct QuantVec {
  __m256 s, z, lo, hi;
};

PTQ_LP_AVX2_INLINE __m256 quant_err8(__m256 x, const QuantVec& c) {
  __m256 q = _mm256_round_ps(_mm256_div_ps(x, c.s), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  q = _mm256_add_ps(q, c.z);
  q = _mm256_min_ps(c.hi, _mm256_max_ps(c.lo, q));  // q second: a NaN q stays NaN, as in quant_err
  const __m256 xq = _mm256_mul_ps(_mm256_sub_ps(q, c.z), c.s);
  return _mm256_and_ps(_mm256_sub_ps(x, xq), _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF)));
}

PTQ_LP_AVX2_INLINE __m256 fset(float a) { return _mm256_set1_ps(a); }
PTQ_LP_AVX2_INLINE __m256 fma(__m256 a, __m256 b, __m256 c) { return _mm256_fmadd_ps(a, b, c); }
PTQ_LP_AVX2_INLINE __m256 fms(__m256 a, __m256 b, __m256 c) { return _mm256_fmsub_ps(a, b, c); }
PTQ_LP_AVX2_INLINE __m256 round8(__m256 a) { return _mm256_round_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
PTQ_LP_AVX2_INLINE __m256d dlo(__m256 a) { return _mm256_cvtps_pd(_mm256_castps256_ps128(a)); }
PTQ_LP_AVX2_INLINE __m256d dhi(__m256 a) { return _mm256_cvtps_pd(_mm256_extractf128_ps(a, 1)); }

// |e|^p, AVX2 pass 2 (log part): finite e >= 0 -> y = p·log2 m and kf = k (−inf for zero and
// subnormal e).
PTQ_LP_AVX2_INLINE void pow_log8(__m256 e, const PowParams& pp, __m256& y, __m256& kf) {
  const __m256i bits = _mm256_castps_si256(e);
  const __m256i i = _mm256_sub_epi32(bits, _mm256_set1_epi32(kSqrtHalfBits));
  // Zero and subnormal e: k = −inf, which makes the exponent field 0 in pow_split8.
  kf = _mm256_blendv_ps(fset(-INFINITY), _mm256_cvtepi32_ps(_mm256_srai_epi32(i, 23)),
                        _mm256_castsi256_ps(_mm256_cmpgt_epi32(bits, _mm256_set1_epi32(0x007FFFFF))));
  const __m256 t = _mm256_sub_ps(
      _mm256_castsi256_ps(_mm256_add_epi32(_mm256_and_si256(i, _mm256_set1_epi32(0x7FFFFF)), _mm256_set1_epi32(kSqrtHalfBits))),
      fset(1.0f));
  // y = c·ln m = c·t + t²·(t·cP(t) − c/2) with cP = c·P, rounded once.
  const __m256 t2 = _mm256_mul_ps(t, t), t4 = _mm256_mul_ps(t2, t2);
  const float* cp = pp.c_lnp;
  const __m256 b0 = fma(fset(cp[1]), t, fset(cp[0])), b1 = fma(fset(cp[3]), t, fset(cp[2]));
  const __m256 b2 = fma(fset(cp[5]), t, fset(cp[4])), b3 = fma(fset(cp[7]), t, fset(cp[6]));
  const __m256 poly = fma(fma(b3, t2, b2), t4, fma(b1, t2, b0));
  const __m256 cw = fma(t, fset(pp.c_lo), _mm256_mul_ps(t2, fms(t, poly, fset(pp.c_half))));
  y = fma(t, fset(pp.c_f), cw);
}

// AVX2 pass 3 (exponent split): p·log2 e = k·p_f + y + k·p_lo = n + r with n = round(k·p_f + y)
// and k·p_f − n by FMA (one rounding); f = clamp(n + 896, 0, 1919) << 20, computed exactly in
// float (multiples of 2^20 below 2^31). f = 0 means e^p = +0 (k = −inf gives n = −inf, f = 0 and
// a NaN r, which pow_exp8 masks).
PTQ_LP_AVX2_INLINE void pow_split8(__m256 y, __m256 kf, const PowParams& pp, __m256& r, __m256i& f) {
  const __m256 p_f = fset(pp.p_f);
  const __m256 n = round8(fma(kf, p_f, y));
  r = fma(kf, fset(pp.p_lo), _mm256_add_ps(fms(kf, p_f, n), y));
  f = _mm256_cvtps_epi32(_mm256_min_ps(_mm256_max_ps(fma(n, fset(1048576.0f), fset(896.0f * 1048576.0f)), _mm256_setzero_ps()),
                                       fset(1919.0f * 1048576.0f)));
}

// AVX2 pass 4 (exp part): (1 + r·Q(r))·2^(f − 896) in double without conversion instructions
// (which cross the 128-bit lanes and are slow): x = 1 + r·Q(r) in [½, 2) with bits b is the
// double with bits (b << 29) + (896 << 52), so the 64-bit lanes (b << 29) + (f << 32) hold
// x·2^(f − 896) exactly. `lo` gets lanes 0, 1, 4, 5 and `hi` lanes 2, 3, 6, 7.
PTQ_LP_AVX2_INLINE void pow_exp8(__m256 r, __m256i f, __m256d& lo, __m256d& hi) {
  const __m256 r2 = _mm256_mul_ps(r, r);
  const __m256 q0 = fma(fset(kExp2Q[1]), r, fset(kExp2Q[0]));
  const __m256 q1 = fma(fset(kExp2Q[3]), r, fset(kExp2Q[2]));
  const __m256 q2 = fma(fset(kExp2Q[5]), r, fset(kExp2Q[4]));
  const __m256 x = fma(r, fma(fma(q2, r2, q1), r2, q0), fset(1.0f));
  const __m256i zero = _mm256_setzero_si256();
  const __m256i b = _mm256_andnot_si256(_mm256_cmpeq_epi32(f, zero), _mm256_castps_si256(x));  // f = 0: +0
  lo = _mm256_castsi256_pd(_mm256_add_epi64(_mm256_slli_epi64(_mm256_unpacklo_epi32(b, zero), 29),
                                            _mm256_unpacklo_epi32(zero, f)));
  hi = _mm256_castsi256_pd(_mm256_add_epi64(_mm256_slli_epi64(_mm256_unpackhi_epi32(b, zero), 29),
                                            _mm256_unpackhi_epi32(zero, f)));
}

PTQ_LP_AVX2_INLINE __m256i tail_mask(int64_t rest) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(rest)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

// p == 2: adds e·e (in double) of U vectors (kMasked: one vector whose lanes beyond `mask` are
// ignored) to acc.
template <int U, bool kMasked>
PTQ_LP_AVX2_INLINE void square_u(const float* v, __m256i mask, const QuantVec& c, __m256d (&acc)[4]) {
  __m256 e[U];
  PTQ_LP_FOR_U(j) {
    if constexpr (kMasked) {
      e[j] = _mm256_and_ps(quant_err8(_mm256_maskload_ps(v + 8 * j, mask), c), _mm256_castsi256_ps(mask));
    } else {
      e[j] = quant_err8(_mm256_loadu_ps(v + 8 * j), c);
    }
  }
  PTQ_LP_FOR_U(j) {
    const __m256d a = dlo(e[j]), b = dhi(e[j]);
    acc[(2 * j) & 3] = _mm256_add_pd(acc[(2 * j) & 3], _mm256_mul_pd(a, a));
    acc[(2 * j + 1) & 3] = _mm256_add_pd(acc[(2 * j + 1) & 3], _mm256_mul_pd(b, b));
  }
}

PTQ_LP_AVX2_INLINE double hsum(const __m256d (&acc)[4]) {
  alignas(32) double sum[4];
  _mm256_store_pd(sum, _mm256_add_pd(_mm256_add_pd(acc[0], acc[2]), _mm256_add_pd(acc[1], acc[3])));
  return (sum[0] + sum[1]) + (sum[2] + sum[3]);
}

template <bool kSquare>
PTQ_LP_AVX2 double block_avx2(const float* v, int64_t m, float xmax, float s, float z, float lo, float hi,
                              const PowParams& pp) {
  const QuantVec c{_mm256_set1_ps(s), _mm256_set1_ps(z), _mm256_set1_ps(lo), _mm256_set1_ps(hi)};
  __m256d acc[4] = {_mm256_setzero_pd(), _mm256_setzero_pd(), _mm256_setzero_pd(), _mm256_setzero_pd()};
  int64_t i = 0;
  if constexpr (kSquare) {  // infinite / NaN errors propagate through e·e as in the reference
    constexpr int U = 4;
    const __m256i none = _mm256_setzero_si256();
    for (; i + 8 * U <= m; i += 8 * U) square_u<U, false>(v + i, none, c, acc);
    for (; i + 8 <= m; i += 8) square_u<1, false>(v + i, none, c, acc);
    if (i < m) square_u<1, true>(v + i, tail_mask(m - i), c, acc);
    return hsum(acc);
  } else {
    // Every error is finite unless x is infinite, s or z is not finite, s = 0, or x − x̂ may
    // overflow; such a block goes to the scalar path (std::pow for those errors).
    const double xq_max = std::max(std::fabs(static_cast<double>(lo) - z), std::fabs(static_cast<double>(hi) - z)) *
                          std::fabs(static_cast<double>(s));
    if (!(std::isfinite(z) && std::fabs(s) > 0.0f && static_cast<double>(xmax) + xq_max < 1e38)) {
      return block_scalar<false>(v, m, xmax, s, z, lo, hi, pp);
    }
    alignas(32) float buf[kBlock];    // errors, then y, then r
    alignas(32) float kbuf[kBlock];   // k, then the exponent field f (int32)
    auto* fbuf = reinterpret_cast<int32_t*>(kbuf);
    // Pass 1: the errors (the padding lanes of the last vector get e = 0, which adds 0).
    for (; i + 8 <= m; i += 8) _mm256_store_ps(buf + i, quant_err8(_mm256_loadu_ps(v + i), c));
    if (i < m) {
      const __m256i mask = tail_mask(m - i);
      _mm256_store_ps(buf + i, _mm256_and_ps(quant_err8(_mm256_maskload_ps(v + i, mask), c), _mm256_castsi256_ps(mask)));
    }
    const int64_t padded = (m + 7) / 8 * 8;
    // Pass 2: y and k.
    for (i = 0; i < padded; i += 8) {
      __m256 y, kf;
      pow_log8(_mm256_load_ps(buf + i), pp, y, kf);
      _mm256_store_ps(buf + i, y);
      _mm256_store_ps(kbuf + i, kf);
    }
    // Pass 3: r and f.
    for (i = 0; i < padded; i += 8) {
      __m256 r;
      __m256i f;
      pow_split8(_mm256_load_ps(buf + i), _mm256_load_ps(kbuf + i), pp, r, f);
      _mm256_store_ps(buf + i, r);
      _mm256_store_si256(reinterpret_cast<__m256i*>(fbuf + i), f);
    }
    // Pass 4: e^p and the sums.
    auto add8 = [&](int64_t j, __m256d& a, __m256d& b) PTQ_LP_AVX2_LAMBDA {
      __m256d plo, phi;
      pow_exp8(_mm256_load_ps(buf + j), _mm256_load_si256(reinterpret_cast<const __m256i*>(fbuf + j)), plo, phi);
      a = _mm256_add_pd(a, plo);
      b = _mm256_add_pd(b, phi);
    };
    for (i = 0; i + 16 <= padded; i += 16) {
      add8(i, acc[0], acc[1]);
      add8(i + 8, acc[2], acc[3]);
    }
    if (i < padded) add8(i, acc[0], acc[1]);
    return hsum(acc);
  }
}

PTQ_LP_AVX2 void pow_values_avx2(const float* e, double* out, int64_t n, const PowParams& pp) {
  for (int64_t i = 0; i < n; i += 8) {
    const int64_t len = std::min<int64_t>(8, n - i);
    const __m256 x = _mm256_maskload_ps(e + i, tail_mask(len));
    alignas(32) double buf[8];
    if (pp.square) {
      _mm256_store_pd(buf, _mm256_mul_pd(dlo(x), dlo(x)));
      _mm256_store_pd(buf + 4, _mm256_mul_pd(dhi(x), dhi(x)));
    } else {
      __m256 y, kf, r;
      __m256i f;
      __m256d lo, hi;
      pow_log8(x, pp, y, kf);
      pow_split8(y, kf, pp, r, f);
      pow_exp8(r, f, lo, hi);
      alignas(32) double l[4], h[4];  // back from pow_exp8's lane order
      _mm256_store_pd(l, lo);
      _mm256_store_pd(h, hi);
      const double ordered[8] = {l[0], l[1], h[0], h[1], l[2], l[3], h[2], h[3]};
      std::memcpy(buf, ordered, sizeof buf);
    }
    for (int64_t j = 0; j < len; ++j) {
      const bool special = !pp.square && float_bits(e[i + j]) > 0x7F7FFFFF;  // as the kernel: scalar path
      out[i + j] = special ? pow_one(e[i + j], pp) : buf[j];
    }
  }
}

#undef PTQ_LP_FOR_U

#endif  // PTQ_LP_HAVE_AVX2

// Sum over v[0..m) of |v − Q(v)|^p for one block and candidate; xmax = max |v| over the block.
using BlockFn = double (*)(const float* v, int64_t m, float xmax, float s, float z, float lo, float hi,
                           const PowParams& pp);

bool resolve_avx2(Path path) {
  if (path == Path::Scalar) return false;
  const bool have = avx2_available();
  TORCH_CHECK(have || path != Path::Avx2, "lp_search: the AVX2 path is not available on this CPU / build");
  return have;
}

BlockFn pick_block_fn(Path path, bool square) {
#if PTQ_LP_HAVE_AVX2
  if (resolve_avx2(path)) return square ? &block_avx2<true> : &block_avx2<false>;
#else
  resolve_avx2(path);
#endif
  return square ? &block_scalar<true> : &block_scalar<false>;
}

}  // namespace

bool avx2_available() {
#if PTQ_LP_HAVE_AVX2
  static const bool have = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") != 0 && __builtin_cpu_supports("fma") != 0;
  }();
  return have;
#else
  return false;
#endif
}

void pow_values(const float* e, double* out, int64_t n, double p, Path path) {
  const PowParams pp = make_pow_params(p);
#if PTQ_LP_HAVE_AVX2
  if (resolve_avx2(path)) {
    pow_values_avx2(e, out, n, pp);
    return;
  }
#else
  resolve_avx2(path);
#endif
  for (int64_t i = 0; i < n; ++i) out[i] = pow_one(e[i], pp);
}

torch::Tensor lp_scores_cpu_path(const torch::Tensor& xg_in, const torch::Tensor& scale_in,
                                 const torch::Tensor& zero_point_in, int64_t qmin, int64_t qmax, double p, Path path) {
  TORCH_CHECK(xg_in.dim() == 2 && scale_in.dim() == 2 && zero_point_in.sizes() == scale_in.sizes() &&
                  scale_in.size(1) == xg_in.size(0),
              "lp_scores_cpu: expected xg [groups, G] and scale / zero_point [C, groups]");
  TORCH_CHECK(std::isfinite(p) && p > 0.0, "lp_scores_cpu: p must be finite and positive, got ", p);
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
  const PowParams pp = make_pow_params(p);
  const BlockFn score_block = pick_block_fn(path, pp.square);
  // Tasks of (group, run of candidates) in parallel: each score o[c, g] is summed by one task
  // over the blocks in order, so results do not depend on the thread count.
  const int64_t runs = (cands + kCandidatesPerTask - 1) / kCandidatesPerTask;
  const int64_t per_task = (cands + runs - 1) / runs;
  at::parallel_for(0, groups * runs, 1, [&](int64_t t0, int64_t t1) {
    std::vector<float> block(kBlock);
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t g = t / runs, c0 = (t % runs) * per_task, c1 = std::min(cands, c0 + per_task);
      const float* xr = x + g * n;
      int64_t valid = 0;
      for (int64_t b = 0; b < n; b += kBlock) {
        // Valid non-zero elements of this block, packed; zeros counted.
        int64_t m = 0, zeros = 0;
        float xmax = 0.0f;
        const int64_t end = std::min(n, b + kBlock);
        for (int64_t i = b; i < end; ++i) {
          const float xi = xr[i];
          block[m] = xi;
          const bool zero = xi == 0.0f;
          m += !(std::isnan(xi) || zero);
          zeros += zero;
          xmax = std::max(xmax, std::fabs(xi));  // a NaN never replaces xmax
        }
        valid += m + zeros;
        for (int64_t c = c0; c < c1; ++c) {
          const float sc = s[c * groups + g], zc = z[c * groups + g];
          double sum = score_block(block.data(), m, xmax, sc, zc, lo, hi, pp);
          if (zeros > 0) {
            const float e0 = quant_err(0.0f, sc, zc, lo, hi);  // the error of x = ±0
            if (e0 != 0.0f) sum += static_cast<double>(zeros) * pow_one(e0, pp);
          }
          o[c * groups + g] += sum;
        }
      }
      const double inv = valid > 0 ? 1.0 / static_cast<double>(valid) : std::nan("");
      for (int64_t c = c0; c < c1; ++c) o[c * groups + g] *= inv;
    }
  });
  return out;
}

}  // namespace lp_search_detail

torch::Tensor lp_scores_cpu(const torch::Tensor& xg, const torch::Tensor& scale, const torch::Tensor& zero_point,
                            int64_t qmin, int64_t qmax, double p) {
  return lp_search_detail::lp_scores_cpu_path(xg, scale, zero_point, qmin, qmax, p, lp_search_detail::Path::Auto);
}

}  // namespace ptq::kernels
