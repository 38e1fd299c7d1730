// Every granularity reduces to one layout: a tensor viewed as [R, nG, G], where each of the
// R·nG slices of length G shares one (scale, zero point).
//   tensor : R = 1, nG = 1, G = numel
//   channel: R = size(axis), nG = 1, G = numel / R           (axis moved to the front)
//   group  : rows = prod(shape[:axis]), K = prod(shape[axis:]), nG = ceil(K / G): R = rows
//   token  : R = numel / shape[-1], nG = 1, G = shape[-1]     (one scale per last-dim vector)
// A partial last group is padded with NaN; observers use NaN-aware reductions and
// ungroup() drops the padding, so groups need not divide K.
// Quantisation parameters therefore always have shape [R, nG].
#pragma once

#include "framework/quant/quant_spec.h"

#include <torch/torch.h>

namespace ptq {

struct GroupLayout {
  Granularity granularity = Granularity::Tensor;
  std::vector<int64_t> shape;  // original shape
  int64_t axis = 0;
  int64_t rows = 1, groups = 1, group_size = 1;
  int64_t padding = 0;  // NaN elements appended to each row (group granularity only)
};

// The layout of a tensor of `shape` under `spec`; throws UserError when the axis does not
// exist for this shape.
GroupLayout group_layout(const QuantSpec& spec, torch::IntArrayRef shape);

// x -> [R, nG, G] (a view where possible; padded copy when padding > 0).
torch::Tensor to_groups(const torch::Tensor& x, const GroupLayout& layout);
// [R, nG, G] -> original shape (drops padding).
torch::Tensor from_groups(const torch::Tensor& g, const GroupLayout& layout);

}  // namespace ptq
