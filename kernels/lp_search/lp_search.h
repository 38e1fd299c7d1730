// Lp scores of many candidate quantisation grids in one pass over the data: the inner loop of
// the papers' range searches (BRECQ's 80-step shrink, QDrop's range × zero-point grid).
//   scores[c, g] = mean over the valid (non-NaN) elements x of group g of |x − Q_c,g(x)|^p,
//   Q_c,g(x) = (clamp(round(x / scale[c, g]) + zero_point[c, g], qmin, qmax) − zero_point[c, g]) · scale[c, g]
// with round-half-to-even, float32 arithmetic exactly as the fake-quant formula, sums in double.
// The data are read once per block of elements that fits in L1 and every candidate is scored on
// it, so no tensor of the data's size is ever allocated per candidate (the tensor-op version
// allocates about ten; framework/quant/observer.cpp keeps it as the reference in tests).
//
// Implementation (lp_search_cpu.cpp, where the details and error bounds are documented): an
// AVX2 + FMA path chosen at run time (8 elements per instruction; about 1.1 ns per element and
// candidate for p = 2.4 on Zen 3, 0.4 ns for p = 2, and half that for data that are half exact
// zeros, which are counted instead of scored) and a portable scalar path. |e|^p is e·e in double
// for p = 2 (exact) and otherwise 2^(p·log2 e) from our own log2 / exp2 polynomials with a
// relative error below 1.5e-7 for p <= 4 and no sign bias (the scores, means of many such terms,
// agree with the double-precision tensor-op reference to 5e-8 or better in the tests). Zero and
// subnormal errors contribute 0; results are deterministic (bit-identical from call to call).
#pragma once

#include <torch/torch.h>

#include <cstdint>

namespace ptq::kernels {

// xg: float32 [groups, G] (contiguous; NaN = padding); scale, zero_point: float32 [C, groups];
// p > 0 (finite). Returns float64 [C, groups] (NaN for a group without valid elements).
torch::Tensor lp_scores_cpu(const torch::Tensor& xg, const torch::Tensor& scale, const torch::Tensor& zero_point,
                            int64_t qmin, int64_t qmax, double p);

}  // namespace ptq::kernels
