// The packed kernels as LibTorch operators (TORCH_LIBRARY), built into libptq_ops.so so that
// Python users can load them next to PyTorch:
//   torch.ops.load_library("build/libptq_ops.so")
//   y = torch.ops.ptq.packed_linear(x, words, scales, zeros, format, k, group_size, bias)
// Formats are PackedFormat ids (int2 0, int3 1, int4 2, int8 3, fp8_e4m3 4, fp4_e2m1 5); the
// tensors are those of a `ptq export` file (<layer>.weight.packed / .scales / .zeros). Each op
// dispatches on the device itself (CPU kernels, or the CUDA kernels in a CUDA build), so it is
// registered once for every backend. The library must be built against the LibTorch of the
// PyTorch that loads it (README "Packed export").
#include "kernels/packed_linear/packed_linear.h"

#include <torch/library.h>

namespace {

using ptq::kernels::PackedFormat;
using ptq::kernels::PackedWeight;

PackedWeight view_of(const at::Tensor& words, const at::Tensor& scales, const c10::optional<at::Tensor>& zeros,
                     int64_t format, int64_t k, int64_t group_size) {
  PackedWeight w;
  w.format = static_cast<PackedFormat>(format);
  ptq::kernels::format_traits(w.format);  // validates the id
  w.n = words.size(0);
  w.k = k;
  w.group_size = group_size;
  w.words = words.contiguous();
  w.scales = scales.contiguous();
  if (zeros.has_value() && zeros->defined()) w.zeros = zeros->contiguous();
  return w;
}

at::Tensor packed_linear_op(const at::Tensor& x, const at::Tensor& words, const at::Tensor& scales,
                            const c10::optional<at::Tensor>& zeros, int64_t format, int64_t k, int64_t group_size,
                            const c10::optional<at::Tensor>& bias) {
  return ptq::kernels::packed_linear(x, view_of(words, scales, zeros, format, k, group_size),
                                     bias.has_value() ? *bias : at::Tensor());
}

at::Tensor dequantize_packed_op(const at::Tensor& words, const at::Tensor& scales,
                                const c10::optional<at::Tensor>& zeros, int64_t format, int64_t k,
                                int64_t group_size) {
  return ptq::kernels::dequantize(view_of(words, scales, zeros, format, k, group_size));
}

// Packs integer codes [N, K] (values in [0, 2^bits − 1]) into the words of `format`.
at::Tensor pack_codes_op(const at::Tensor& codes, int64_t format) {
  const auto f = static_cast<PackedFormat>(format);
  const auto& t = ptq::kernels::format_traits(f);
  const int64_t n = codes.size(0), k = codes.size(1);
  const auto zeros = t.is_float ? at::Tensor() : at::zeros({n, 1}, at::kLong);
  return ptq::kernels::pack_codes(codes, at::ones({n, 1}), zeros, f, k).words.to(codes.device());
}

}  // namespace

TORCH_LIBRARY(ptq, m) {
  m.def("packed_linear(Tensor x, Tensor words, Tensor scales, Tensor? zeros, int format, int k, int group_size, "
        "Tensor? bias=None) -> Tensor",
        &packed_linear_op);
  m.def("dequantize_packed(Tensor words, Tensor scales, Tensor? zeros, int format, int k, int group_size) -> Tensor",
        &dequantize_packed_op);
  m.def("pack_codes(Tensor codes, int format) -> Tensor", &pack_codes_op);
}
