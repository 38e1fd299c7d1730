// CPU packed kernels: the GEMV path (small M) and the parallel dequantisation used by the
// dequantise + sgemm path and by packed conv2d. On CPUs with AVX-512F the work goes to
// packed_gemv_avx512.cpp; the portable path below runs elsewhere (and in tests of both).
//
// Each output row is computed by one thread from start to end in a fixed order (groups in
// order; inside a group a dot product with 16 fixed accumulator lanes reduced in a fixed tree),
// so results do not depend on the thread count, and the AVX-512 / AVX2 / generic clones (see
// kernels/common/elementwise.h) compute the same floats (this file has no FP contraction).
// Decoding works block by block (32 codes): a block's words are read once and each shift
// position is a compile-time constant, so the loops vectorise.
#include "kernels/common/elementwise.h"
#include "kernels/packed_linear/packed_gemv_avx512.h"
#include "kernels/packed_linear/packed_linear.h"

#include "framework/core/check.h"

#include <array>
#include <atomic>
#include <vector>

namespace ptq::kernels {
namespace {

// Decodes one block of 32 codes into out[0..32): integer formats give u − zu (exact small
// integers), minifloat formats lut[code]. Bits ∈ {2, 3, 4, 8}.
template <int Bits, bool Float>
PTQ_INLINE void decode_block(const uint32_t* block, float* out, float zu, const float* lut) {
  constexpr uint32_t mask = (1u << Bits) - 1;
  if constexpr (Bits == 3) {
#pragma GCC unroll 32
    for (int i = 0; i < 32; ++i) {
      const int bit = 3 * i, word = bit / 32, off = bit % 32;
      uint32_t c = block[word] >> off;
      if (off + 3 > 32) c |= block[word + 1] << (32 - off);
      out[i] = static_cast<float>(c & mask) - zu;
    }
  } else {
    constexpr int per_word = 32 / Bits;
#pragma GCC unroll 8
    for (int j = 0; j < Bits; ++j) {
      const uint32_t word = block[j];
#pragma GCC unroll 16
      for (int t = 0; t < per_word; ++t) {
        const uint32_t c = (word >> (Bits * t)) & mask;
        if constexpr (Float)
          out[j * per_word + t] = lut[c];
        else
          out[j * per_word + t] = static_cast<float>(c) - zu;
      }
    }
  }
}

// Fixed-order dot product: 16 lanes, then a fixed reduction tree, then the tail.
PTQ_INLINE float dot16(const float* a, const float* b, int64_t n) {
  float acc[16] = {};
  int64_t i = 0;
  for (; i + 16 <= n; i += 16)
    for (int j = 0; j < 16; ++j) acc[j] += a[i + j] * b[i + j];
  for (int w = 8; w >= 1; w /= 2)
    for (int j = 0; j < w; ++j) acc[j] += acc[j + w];
  float tail = 0.f;
  for (; i < n; ++i) tail += a[i] * b[i];
  return acc[0] + tail;
}

struct RowView {
  const uint32_t* words;
  const float* scales;
  const uint8_t* zeros;  // null for minifloat formats
  int64_t k, group_size, groups, words_per_row;
  const float* lut;
};

// Decodes elements [b, e) of row r (b a multiple of 32) into buf[0 .. e − b), zero point of
// group g applied; the last block may write up to 31 values past e − b (buf has room).
template <int Bits, bool Float>
PTQ_INLINE void decode_span(const RowView& v, int64_t r, int64_t g, int64_t b, int64_t e, float* buf) {
  const uint32_t* row = v.words + r * v.words_per_row;
  const float zu = Float ? 0.f : static_cast<float>(v.zeros[r * v.groups + g]);
  for (int64_t i = b; i < e; i += kPackBlock) decode_block<Bits, Float>(row + (i / kPackBlock) * Bits, buf + (i - b), zu, v.lut);
}

template <int Bits, bool Float>
PTQ_CLONES void gemv_rows(const RowView& v, const float* x, float* y, int64_t m, int64_t n, int64_t r0, int64_t r1,
                          float* buf, float* acc) {
  for (int64_t r = r0; r < r1; ++r) {
    for (int64_t j = 0; j < m; ++j) acc[j] = 0.f;
    for (int64_t g = 0; g < v.groups; ++g) {
      const int64_t b = g * v.group_size, e = std::min(v.k, b + v.group_size);
      decode_span<Bits, Float>(v, r, g, b, e, buf);
      const float s = v.scales[r * v.groups + g];
      for (int64_t j = 0; j < m; ++j) acc[j] += s * dot16(buf, x + j * v.k + b, e - b);
    }
    for (int64_t j = 0; j < m; ++j) y[j * n + r] = acc[j];
  }
}

template <int Bits, bool Float>
PTQ_CLONES void dequant_rows(const RowView& v, float* out, int64_t r0, int64_t r1, float* buf) {
  for (int64_t r = r0; r < r1; ++r)
    for (int64_t g = 0; g < v.groups; ++g) {
      const int64_t b = g * v.group_size, e = std::min(v.k, b + v.group_size);
      decode_span<Bits, Float>(v, r, g, b, e, buf);
      const float s = v.scales[r * v.groups + g];
      float* o = out + (r - r0) * v.k + b;
      for (int64_t i = 0; i < e - b; ++i) o[i] = Float ? s * buf[i] : buf[i] * s;
    }
}

// Values of every code of a minifloat format (built once per format; unused for integers).
const float* decode_table(const PackedFormatTraits& t) {
  static const auto tables = [] {
    std::vector<std::array<float, 256>> all(all_packed_formats().size());
    for (auto f : all_packed_formats()) {
      const auto& ft = format_traits(f);
      if (ft.is_float)
        for (uint32_t c = 0; c <= ft.max_code(); ++c) all[static_cast<size_t>(f)][c] = ft.decode(c);
    }
    return all;
  }();
  return tables[static_cast<size_t>(t.format)].data();
}

RowView prepare(const PackedWeight& w) {
  w.validate("packed weight");
  PTQ_CHECK(w.words.device().is_cpu(), "the CPU packed kernels need the packed weight on the CPU");
  const auto& t = w.traits();
  return {reinterpret_cast<const uint32_t*>(w.words.data_ptr<int32_t>()), w.scales.data_ptr<float>(),
          t.is_float ? nullptr : w.zeros.data_ptr<uint8_t>(), w.k, w.group_size, w.groups(),
          t.words_per_row(w.k), decode_table(t)};
}

// Floats a thread's decode buffer needs: one group, rounded up to whole 32-code blocks.
int64_t decode_buffer_len(const RowView& v) { return (v.group_size + kPackBlock - 1) / kPackBlock * kPackBlock; }

// Calls f.template run<Bits, Float>() for the format.
template <typename F>
void dispatch_format(PackedFormat format, F&& f) {
  switch (format) {
    case PackedFormat::Int2: return f.template run<2, false>();
    case PackedFormat::Int3: return f.template run<3, false>();
    case PackedFormat::Int4: return f.template run<4, false>();
    case PackedFormat::Int8: return f.template run<8, false>();
    case PackedFormat::Fp8E4M3: return f.template run<8, true>();
    case PackedFormat::Fp4E2M1: return f.template run<4, true>();
  }
  PTQ_FAIL("unknown packed format id {}", static_cast<int>(format));
}

std::atomic<bool> g_allow_avx512{true};

bool use_avx512() { return g_allow_avx512.load() && avx512::available(); }

avx512::PackedRows rows_of(const RowView& v, const PackedWeight& w) {
  return {v.words, v.scales, v.zeros, w.n, v.k, v.group_size, v.groups, v.words_per_row, w.format};
}

// Rows per parallel task: enough work per task to amortise scheduling.
int64_t row_grain(int64_t k, int64_t m) { return std::max<int64_t>(1, (1 << 16) / std::max<int64_t>(1, k * m)); }

struct GemvTask {
  const RowView& v;
  const float* x;
  float* y;
  int64_t m, n;
  template <int Bits, bool Float>
  void run() {
    at::parallel_for(0, n, row_grain(v.k, m), [&](int64_t r0, int64_t r1) {
      std::vector<float> buf(decode_buffer_len(v)), acc(m);
      gemv_rows<Bits, Float>(v, x, y, m, n, r0, r1, buf.data(), acc.data());
    });
  }
};

struct DequantTask {
  const RowView& v;
  float* out;  // row `first` goes to out[0]
  int64_t first, last;
  template <int Bits, bool Float>
  void run() {
    at::parallel_for(first, last, row_grain(v.k, 1), [&](int64_t r0, int64_t r1) {
      std::vector<float> buf(decode_buffer_len(v));
      dequant_rows<Bits, Float>(v, out + (r0 - first) * v.k, r0, r1, buf.data());
    });
  }
};

}  // namespace

void allow_avx512_packed_kernels(bool allow) { g_allow_avx512 = allow; }

torch::Tensor packed_gemv_cpu(const torch::Tensor& x, const PackedWeight& w) {
  PTQ_CHECK(x.dim() == 2 && x.size(1) == w.k && x.scalar_type() == torch::kFloat && x.is_contiguous() &&
                x.device().is_cpu(),
            "packed_gemv_cpu: x must be contiguous float32 [M, {}] on the CPU", w.k);
  const RowView v = prepare(w);
  const int64_t m = x.size(0), n = w.n;
  auto y = torch::empty({m, n}, torch::kFloat);
  if (m == 0) return y;
  const float* xp = x.data_ptr<float>();
  float* yp = y.data_ptr<float>();
  if (use_avx512()) {
    const auto rows = rows_of(v, w);
    const auto px = avx512::prepare_x(rows, xp, m);
    at::parallel_for(0, n, row_grain(w.k, m),
                     [&](int64_t r0, int64_t r1) { avx512::gemv_rows(rows, xp, px, yp, m, r0, r1); });
    return y;
  }
  GemvTask run{v, xp, yp, m, n};
  dispatch_format(w.format, run);
  return y;
}

// Rows [r0, r1) of the dequantised weight into out [r1 − r0, k], in parallel over rows.
void dequantize_rows(const RowView& v, const PackedWeight& w, float* out, int64_t r0, int64_t r1,
                     bool parallel = true) {
  if (use_avx512()) {
    const auto rows = rows_of(v, w);
    if (!parallel) return avx512::dequant_rows(rows, out, r0, r1);
    at::parallel_for(r0, r1, row_grain(w.k, 1),
                     [&](int64_t a, int64_t b) { avx512::dequant_rows(rows, out + (a - r0) * w.k, a, b); });
    return;
  }
  DequantTask run{v, out, r0, r1};
  dispatch_format(w.format, run);
}

torch::Tensor dequantize_cpu(const PackedWeight& w) {
  const RowView v = prepare(w);
  auto out = torch::empty({w.n, w.k}, torch::kFloat);
  dequantize_rows(v, w, out.data_ptr<float>(), 0, w.n);
  return out;
}

torch::Tensor packed_gemm_cpu(const torch::Tensor& x, const PackedWeight& w) {
  PTQ_CHECK(x.dim() == 2 && x.size(1) == w.k && x.scalar_type() == torch::kFloat && x.device().is_cpu(),
            "packed_gemm_cpu: x must be float32 [M, {}] on the CPU", w.k);
  const RowView v = prepare(w);
  // Panels of dequantised rows, each multiplied as soon as it is ready: about 16 MiB (so it
  // stays in the last-level cache) but at least 1024 rows (OpenBLAS ran 2.5× slower on
  // 256-row panels, and on 381-row panels of K = 11008: bench/packed_gemm). The panel is
  // dequantised by this thread alone: OpenBLAS's own threads spin between calls and an
  // OpenMP team beside them was slower. The buffer is reused across panels.
  const int64_t panel = std::min(w.n, std::max<int64_t>(1024, (int64_t{16} << 20) / (4 * w.k)));
  auto buf = torch::empty({panel, w.k}, torch::kFloat);
  auto yt = torch::empty({w.n, x.size(0)}, torch::kFloat);
  const auto xt = x.t();
  for (int64_t r0 = 0; r0 < w.n; r0 += panel) {
    const int64_t r1 = std::min(w.n, r0 + panel);
    dequantize_rows(v, w, buf.data_ptr<float>(), r0, r1, /*parallel=*/false);
    auto out = yt.narrow(0, r0, r1 - r0);
    torch::mm_out(out, buf.narrow(0, 0, r1 - r0), xt);
  }
  return yt.t().contiguous();
}

}  // namespace ptq::kernels
