// Lp scores of many candidate quantisation grids in one pass over the data: the inner loop of
// the papers' range searches (BRECQ's 80-step shrink, QDrop's range × zero-point grid).
//   scores[c, g] = mean over the valid (non-NaN) elements x of group g of |x − Q_c,g(x)|^p,
//   Q_c,g(x) = (clamp(round(x / scale[c, g]) + zero_point[c, g], qmin, qmax) − zero_point[c, g]) · scale[c, g]
// with round-half-to-even, float32 arithmetic exactly as the fake-quant formula, sums in double.
// The data are read once per block of elements that fits in L1 and every candidate is scored on
// it, so no tensor of the data's size is ever allocated per candidate (the tensor-op version
// allocates about ten; framework/quant/observer.cpp keeps it as the reference in tests).
#pragma once

#include <torch/torch.h>

#include <cstdint>

namespace ptq::kernels {

// xg: float32 [groups, G] (contiguous; NaN = padding); scale, zero_point: float32 [C, groups].
// Returns float64 [C, groups].
torch::Tensor lp_scores_cpu(const torch::Tensor& xg, const torch::Tensor& scale, const torch::Tensor& zero_point,
                            int64_t qmin, int64_t qmax, double p);

}  // namespace ptq::kernels
