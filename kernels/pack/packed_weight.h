// PackedWeight: one packed matrix W [N, K] in the layout of packed_format.h, held in LibTorch
// tensors so it can live on the CPU or a GPU and be saved in safetensors as it is:
//   words   int32 [N, words_per_row(K)]   the code blocks of each row
//   scales  float32 [N, groups]           one scale per (row, group); groups = ceil(K / G)
//   zeros   uint8 [N, groups]             zero points zu = z − qmin (integer formats only;
//                                          undefined for minifloat formats)
// The plain reference pack/unpack/dequantise below are the specification every kernel is
// tested against.
#pragma once

#include "kernels/pack/packed_format.h"

#include <torch/torch.h>

#include <string>

namespace ptq::kernels {

struct PackedWeight {
  PackedFormat format = PackedFormat::Int4;
  int64_t n = 0, k = 0;
  int64_t group_size = 0;  // G; equals k for per-channel scales
  torch::Tensor words, scales, zeros;

  const PackedFormatTraits& traits() const { return format_traits(format); }
  int64_t groups() const { return (k + group_size - 1) / group_size; }
  // Bytes of codes, scales and zero points (what a kernel must read).
  int64_t bytes() const;
  // Checks shapes, dtypes and devices; throws UserError naming `where` (e.g. a layer).
  void validate(const std::string& where) const;
  PackedWeight to(const torch::Device& device) const;
};

// Reference packing of integer codes [N, K] (any integer dtype, values in [0, max_code]) with
// scales [N, groups] and, for integer formats, zero points [N, groups] (values in
// [0, max_code]). Throws UserError on out-of-range codes or bad shapes.
PackedWeight pack_codes(const torch::Tensor& codes, const torch::Tensor& scales, const torch::Tensor& zeros,
                        PackedFormat format, int64_t group_size);
// Reference unpacking: the codes [N, K] as uint8 (CPU).
torch::Tensor unpack_codes(const PackedWeight& w);
// Reference dequantisation: float32 [N, K] on the CPU, each element (u − zu)·s or s·value(code).
torch::Tensor dequantize_reference(const PackedWeight& w);

// Round-to-nearest quantisation of a float matrix [N, K] into `format` with min/max scales per
// (row, group): asymmetric for integer formats, absmax for minifloat formats. For tests and
// benchmarks (the methods quantise through framework/quant; export packs their codes).
PackedWeight quantize_rtn(const torch::Tensor& w, PackedFormat format, int64_t group_size);

}  // namespace ptq::kernels
