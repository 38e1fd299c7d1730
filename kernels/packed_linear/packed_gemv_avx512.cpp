#include "kernels/packed_linear/packed_gemv_avx512.h"

#include "framework/core/check.h"

#include <algorithm>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define PTQ_HAVE_AVX512_PATH 1
#define PTQ_AVX512 __attribute__((target("avx512f,fma")))
#define PTQ_AVX512_INLINE __attribute__((target("avx512f,fma"), always_inline)) inline
#define PTQ_AVX512_INLINE_LAMBDA __attribute__((target("avx512f,fma"), always_inline))
#endif

namespace ptq::kernels::avx512 {

#ifdef PTQ_HAVE_AVX512_PATH
namespace {

// For the 16 codes of half c of a 32-code block: the word each lane reads, its shift, and
// (INT3) the left shift of the next word that supplies the remaining high bits (32 − shift;
// AVX-512 variable shifts by 32 give 0, so lanes that do not straddle add nothing).
struct LaneTable {
  alignas(64) int32_t word[2][16];
  alignas(64) int32_t next_word[2][16];
  alignas(64) int32_t shift[2][16];
  alignas(64) int32_t next_shift[2][16];
};

constexpr LaneTable lane_table(int bits) {
  LaneTable t{};
  for (int c = 0; c < 2; ++c)
    for (int i = 0; i < 16; ++i) {
      const int bit = bits * (16 * c + i);
      t.word[c][i] = bit / 32;
      t.next_word[c][i] = bit / 32 + 1 < bits ? bit / 32 + 1 : bit / 32;
      t.shift[c][i] = bit % 32;
      t.next_shift[c][i] = 32 - bit % 32;
    }
  return t;
}

template <int Bits>
struct Tables {
  static constexpr LaneTable t = lane_table(Bits);
};

enum class Kind { Int, Fp8, Fp4 };

// 32-code blocks per scale group; a per-channel group (G = K, any K) spans all `blocks` of a row.
int64_t blocks_in_group(const PackedRows& w, int64_t blocks) {
  return w.group_size % 32 == 0 ? w.group_size / 32 : blocks;
}

// Weights 16c .. 16c + 15 of the block whose words are in lanes 0..Bits−1 of `words`.
template <int Bits, Kind K>
PTQ_AVX512_INLINE __m512 decode16(__m512i words, int c, __m512 zu, __m512 scale, __m512 fp4_lut) {
  const auto& t = Tables<Bits>::t;
  const __m512i word = _mm512_permutexvar_epi32(_mm512_load_si512(t.word[c]), words);
  __m512i code = _mm512_srlv_epi32(word, _mm512_load_si512(t.shift[c]));
  if constexpr (Bits == 3) {
    const __m512i next = _mm512_permutexvar_epi32(_mm512_load_si512(t.next_word[c]), words);
    code = _mm512_or_si512(code, _mm512_sllv_epi32(next, _mm512_load_si512(t.next_shift[c])));
  }
  code = _mm512_and_si512(code, _mm512_set1_epi32((1 << Bits) - 1));
  if constexpr (K == Kind::Int) {
    return _mm512_mul_ps(_mm512_sub_ps(_mm512_cvtepi32_ps(code), zu), scale);
  } else if constexpr (K == Kind::Fp4) {
    return _mm512_mul_ps(scale, _mm512_permutexvar_ps(code, fp4_lut));
  } else {
    // E4M3: normal codes re-bias the exponent into float's field (e + 120), subnormal ones
    // (exponent 0) are man · 2^-9; the sign goes to bit 31. Exact, as the reference.
    const __m512i man = _mm512_and_si512(code, _mm512_set1_epi32(7));
    const __m512i exp = _mm512_and_si512(_mm512_srli_epi32(code, 3), _mm512_set1_epi32(15));
    const __m512i normal_bits = _mm512_or_si512(_mm512_slli_epi32(_mm512_add_epi32(exp, _mm512_set1_epi32(120)), 23),
                                                _mm512_slli_epi32(man, 20));
    const __m512 sub = _mm512_mul_ps(_mm512_cvtepi32_ps(man), _mm512_set1_ps(1.f / 512.f));
    const __mmask16 is_sub = _mm512_cmpeq_epi32_mask(exp, _mm512_setzero_si512());
    __m512 mag = _mm512_mask_blend_ps(is_sub, _mm512_castsi512_ps(normal_bits), sub);
    const __m512i sign = _mm512_slli_epi32(_mm512_srli_epi32(code, 7), 31);
    mag = _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(mag), sign));
    return _mm512_mul_ps(scale, mag);
  }
}

__mmask16 tail_mask(int64_t remaining) {
  return remaining >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << remaining) - 1u);
}

PTQ_AVX512 __m512 fp4_table() {
  alignas(64) float v[16];
  const auto& t = format_traits(PackedFormat::Fp4E2M1);
  for (uint32_t c = 0; c < 16; ++c) v[c] = t.decode(c);
  return _mm512_load_ps(v);
}

// Calls fn(c, kk, remaining, weights) for every 16-weight half block c ∈ {0, 1} of row r, in
// order, with the group's scale and zero point applied (c is a constant once inlined).
template <int Bits, Kind K, typename Fn>
PTQ_AVX512_INLINE void for_each_half_block(const PackedRows& w, int64_t r, __m512 fp4_lut, Fn&& fn) {
  const uint32_t* row = w.words + r * w.words_per_row;
  const __mmask16 word_mask = static_cast<__mmask16>((1u << Bits) - 1u);
  for (int64_t g = 0; g < w.groups; ++g) {
    const __m512 scale = _mm512_set1_ps(w.scales[r * w.groups + g]);
    const __m512 zu = _mm512_set1_ps(K == Kind::Int ? static_cast<float>(w.zeros[r * w.groups + g]) : 0.f);
    const int64_t b = g * w.group_size, e = std::min(w.k, b + w.group_size);
    for (int64_t kb = b; kb < e; kb += 32) {
      const __m512i words = _mm512_maskz_loadu_epi32(word_mask, row + (kb / 32) * Bits);
      fn(0, kb, e - kb, decode16<Bits, K>(words, 0, zu, scale, fp4_lut));
      if (kb + 16 < e) fn(1, kb + 16, e - kb - 16, decode16<Bits, K>(words, 1, zu, scale, fp4_lut));
    }
  }
}

template <int Bits, Kind K, int MB>
PTQ_AVX512 void gemv_block(const PackedRows& w, const float* x, float* y, int64_t r0, int64_t r1) {
  const __m512 lut = K == Kind::Fp4 ? fp4_table() : _mm512_setzero_ps();
  for (int64_t r = r0; r < r1; ++r) {
    // Two FMA chains per row of x (first and second half of each block), so consecutive FMAs
    // do not wait for each other's results.
    __m512 acc[2][MB];
    for (int j = 0; j < MB; ++j) acc[0][j] = acc[1][j] = _mm512_setzero_ps();
    for_each_half_block<Bits, K>(w, r, lut,
                                 [&](int c, int64_t kk, int64_t remaining, __m512 d) PTQ_AVX512_INLINE_LAMBDA {
                                   const __mmask16 mask = tail_mask(remaining);
                                   for (int j = 0; j < MB; ++j)
                                     acc[c][j] = _mm512_fmadd_ps(d, _mm512_maskz_loadu_ps(mask, x + j * w.k + kk), acc[c][j]);
                                 });
    for (int j = 0; j < MB; ++j) y[j * w.n + r] = _mm512_reduce_add_ps(_mm512_add_ps(acc[0][j], acc[1][j]));
  }
}

template <int Bits, Kind K>
PTQ_AVX512 void dequant_block(const PackedRows& w, float* out, int64_t r0, int64_t r1) {
  const __m512 lut = K == Kind::Fp4 ? fp4_table() : _mm512_setzero_ps();
  for (int64_t r = r0; r < r1; ++r) {
    float* o = out + (r - r0) * w.k;
    for_each_half_block<Bits, K>(w, r, lut, [&](int, int64_t kk, int64_t remaining, __m512 d) PTQ_AVX512_INLINE_LAMBDA {
      _mm512_mask_storeu_ps(o + kk, tail_mask(remaining), d);
    });
  }
}

template <int Bits, Kind K>
void gemv_format(const PackedRows& w, const float* x, float* y, int64_t m, int64_t r0, int64_t r1) {
  // Rows of x in chunks of at most 8 (accumulators stay in registers).
  for (int64_t j = 0; j < m; j += 8) {
    const int64_t mb = std::min<int64_t>(8, m - j);
    const float* xj = x + j * w.k;
    float* yj = y + j * w.n;
    switch (mb) {
      case 1: gemv_block<Bits, K, 1>(w, xj, yj, r0, r1); break;
      case 2: gemv_block<Bits, K, 2>(w, xj, yj, r0, r1); break;
      case 3: gemv_block<Bits, K, 3>(w, xj, yj, r0, r1); break;
      case 4: gemv_block<Bits, K, 4>(w, xj, yj, r0, r1); break;
      case 5: gemv_block<Bits, K, 5>(w, xj, yj, r0, r1); break;
      case 6: gemv_block<Bits, K, 6>(w, xj, yj, r0, r1); break;
      case 7: gemv_block<Bits, K, 7>(w, xj, yj, r0, r1); break;
      default: gemv_block<Bits, K, 8>(w, xj, yj, r0, r1); break;
    }
  }
}


// INT4, the main deployment format, has its own loop: a block's 16 bytes widen to 16 lanes
// (vpmovzxbd) whose low nibbles are codes 0, 2, …, 30 and high nibbles codes 1, 3, …, 31, so
// x is read in that order (PreparedX::x, rearranged once per call). The zero point and scale
// are applied once per group: Σ(u − zu)·x = Σu·x − zu·Σx lane by lane (PreparedX::sums holds
// the lane-wise Σx per group), then · s. For an identity input every step is exact, as the
// reference's (u − zu)·s.
template <int MB>
PTQ_AVX512 void gemv_int4_block(const PackedRows& w, const float* xp, const float* xs, int64_t x_stride,
                                int64_t sums_stride, float* y, int64_t r0, int64_t r1) {
  const int64_t blocks = (w.k + 31) / 32;
  const int64_t blocks_per_group = blocks_in_group(w, blocks);
  const __m512i low_mask = _mm512_set1_epi32(15);
  for (int64_t r = r0; r < r1; ++r) {
    const auto* row = reinterpret_cast<const uint8_t*>(w.words + r * w.words_per_row);
    __m512 out[MB];
    for (int j = 0; j < MB; ++j) out[j] = _mm512_setzero_ps();
    for (int64_t g = 0; g < w.groups; ++g) {
      __m512 even[MB], odd[MB];
      for (int j = 0; j < MB; ++j) even[j] = odd[j] = _mm512_setzero_ps();
      const int64_t b_end = std::min(blocks, (g + 1) * blocks_per_group);
      for (int64_t b = g * blocks_per_group; b < b_end; ++b) {
        const __m512i bytes = _mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(row + 16 * b)));
        const __m512 lo = _mm512_cvtepi32_ps(_mm512_and_si512(bytes, low_mask));
        const __m512 hi = _mm512_cvtepi32_ps(_mm512_srli_epi32(bytes, 4));
        for (int j = 0; j < MB; ++j) {
          even[j] = _mm512_fmadd_ps(lo, _mm512_loadu_ps(xp + j * x_stride + 32 * b), even[j]);
          odd[j] = _mm512_fmadd_ps(hi, _mm512_loadu_ps(xp + j * x_stride + 32 * b + 16), odd[j]);
        }
      }
      const __m512 zu = _mm512_set1_ps(static_cast<float>(w.zeros[r * w.groups + g]));
      const __m512 scale = _mm512_set1_ps(w.scales[r * w.groups + g]);
      for (int j = 0; j < MB; ++j) {
        const __m512 t = _mm512_fnmadd_ps(zu, _mm512_loadu_ps(xs + j * sums_stride + 16 * g), _mm512_add_ps(even[j], odd[j]));
        out[j] = _mm512_fmadd_ps(t, scale, out[j]);
      }
    }
    for (int j = 0; j < MB; ++j) y[j * w.n + r] = _mm512_reduce_add_ps(out[j]);
  }
}

void gemv_int4(const PackedRows& w, const PreparedX& px, float* y, int64_t m, int64_t r0, int64_t r1) {
  const int64_t x_stride = px.x.size() / m, sums_stride = px.sums.size() / m;
  for (int64_t j = 0; j < m; j += 8) {
    const int64_t mb = std::min<int64_t>(8, m - j);
    const float* xj = px.x.data() + j * x_stride;
    const float* sj = px.sums.data() + j * sums_stride;
    float* yj = y + j * w.n;
    switch (mb) {
      case 1: gemv_int4_block<1>(w, xj, sj, x_stride, sums_stride, yj, r0, r1); break;
      case 2: gemv_int4_block<2>(w, xj, sj, x_stride, sums_stride, yj, r0, r1); break;
      case 3: gemv_int4_block<3>(w, xj, sj, x_stride, sums_stride, yj, r0, r1); break;
      case 4: gemv_int4_block<4>(w, xj, sj, x_stride, sums_stride, yj, r0, r1); break;
      case 5: gemv_int4_block<5>(w, xj, sj, x_stride, sums_stride, yj, r0, r1); break;
      case 6: gemv_int4_block<6>(w, xj, sj, x_stride, sums_stride, yj, r0, r1); break;
      case 7: gemv_int4_block<7>(w, xj, sj, x_stride, sums_stride, yj, r0, r1); break;
      default: gemv_int4_block<8>(w, xj, sj, x_stride, sums_stride, yj, r0, r1); break;
    }
  }
}

}  // namespace

PreparedX prepare_x(const PackedRows& w, const float* x, int64_t m) {
  PreparedX px;
  if (w.format != PackedFormat::Int4) return px;
  const int64_t blocks = (w.k + 31) / 32, padded = 32 * blocks;
  const int64_t blocks_per_group = blocks_in_group(w, blocks);
  px.x.assign(m * padded, 0.f);
  px.sums.assign(m * w.groups * 16, 0.f);
  for (int64_t j = 0; j < m; ++j)
    for (int64_t i = 0; i < w.k; ++i) {
      const int64_t b = i / 32, pos = i % 32;
      const int64_t lane = pos / 2, slot = 32 * b + (pos % 2) * 16 + lane;
      px.x[j * padded + slot] = x[j * w.k + i];
    }
  // Lane-wise sums per group, in block order: Σ over the group's blocks of (even + odd) lanes.
  for (int64_t j = 0; j < m; ++j)
    for (int64_t b = 0; b < blocks; ++b) {
      float* s = px.sums.data() + (j * w.groups + b / blocks_per_group) * 16;
      const float* xb = px.x.data() + j * padded + 32 * b;
      for (int l = 0; l < 16; ++l) s[l] += xb[l] + xb[16 + l];
    }
  return px;
}

bool available() {
  static const bool ok = __builtin_cpu_supports("avx512f") != 0;
  return ok;
}

void gemv_rows(const PackedRows& w, const float* x, const PreparedX& px, float* y, int64_t m, int64_t r0,
               int64_t r1) {
  switch (w.format) {
    case PackedFormat::Int2: return gemv_format<2, Kind::Int>(w, x, y, m, r0, r1);
    case PackedFormat::Int3: return gemv_format<3, Kind::Int>(w, x, y, m, r0, r1);
    case PackedFormat::Int4: return gemv_int4(w, px, y, m, r0, r1);
    case PackedFormat::Int8: return gemv_format<8, Kind::Int>(w, x, y, m, r0, r1);
    case PackedFormat::Fp8E4M3: return gemv_format<8, Kind::Fp8>(w, x, y, m, r0, r1);
    case PackedFormat::Fp4E2M1: return gemv_format<4, Kind::Fp4>(w, x, y, m, r0, r1);
  }
}

void dequant_rows(const PackedRows& w, float* out, int64_t r0, int64_t r1) {
  switch (w.format) {
    case PackedFormat::Int2: return dequant_block<2, Kind::Int>(w, out, r0, r1);
    case PackedFormat::Int3: return dequant_block<3, Kind::Int>(w, out, r0, r1);
    case PackedFormat::Int4: return dequant_block<4, Kind::Int>(w, out, r0, r1);
    case PackedFormat::Int8: return dequant_block<8, Kind::Int>(w, out, r0, r1);
    case PackedFormat::Fp8E4M3: return dequant_block<8, Kind::Fp8>(w, out, r0, r1);
    case PackedFormat::Fp4E2M1: return dequant_block<4, Kind::Fp4>(w, out, r0, r1);
  }
}

#else  // no x86-64 GCC/Clang: the portable path is used

bool available() { return false; }
PreparedX prepare_x(const PackedRows&, const float*, int64_t) { return {}; }
void gemv_rows(const PackedRows&, const float*, const PreparedX&, float*, int64_t, int64_t, int64_t) {
  PTQ_FAIL("AVX-512 packed kernels are not built for this CPU");
}
void dequant_rows(const PackedRows&, float*, int64_t, int64_t) { PTQ_FAIL("AVX-512 packed kernels are not built for this CPU"); }

#endif

}  // namespace ptq::kernels::avx512
