// AVX-512 versions of the CPU packed GEMV and dequantisation (packed_linear_cpu.cpp uses them
// when the CPU has AVX-512F). Codes are decoded 16 at a time in registers: the block's words
// are loaded once, each lane picks its word with a permute and its bits with a variable
// shift (INT3 codes that straddle two words take the next word's low bits as well), and the
// weight (u − zu)·s or value(code)·s is formed exactly as the reference does; products
// accumulate with FMA in 16 lanes per row of x, reduced in a fixed order at the end of the row.
// INT4 has a cheaper loop of its own: bytes widened to lanes give the even and odd codes
// directly, x is read in that order, and the zero point and scale are applied once per group.
// Each output is computed by one thread in one order, so results do not depend on the thread
// count; they differ from the portable path's only by float rounding (another summation order).
#pragma once

#include "kernels/packed_linear/packed_linear.h"

#include <vector>

namespace ptq::kernels::avx512 {

struct PackedRows {
  const uint32_t* words;
  const float* scales;
  const uint8_t* zeros;  // null for minifloat formats
  int64_t n, k, group_size, groups, words_per_row;
  PackedFormat format;
};

// x [m, k] rearranged once per call for the formats whose loop reads it in another order
// (INT4: per 32-element block the even positions, then the odd ones; plus lane-wise sums per
// group); empty for the others.
struct PreparedX {
  std::vector<float> x, sums;
};

// True when the CPU runs AVX-512F (checked once).
bool available();
PreparedX prepare_x(const PackedRows& w, const float* x, int64_t m);
// y [m, n] = x [m, k] · Wᵀ for rows [r0, r1) of W; `px` from prepare_x(w, x, m).
void gemv_rows(const PackedRows& w, const float* x, const PreparedX& px, float* y, int64_t m, int64_t r0, int64_t r1);
// Rows [r0, r1) of the dequantised W into out [r1 − r0, k].
void dequant_rows(const PackedRows& w, float* out, int64_t r0, int64_t r1);

}  // namespace ptq::kernels::avx512
