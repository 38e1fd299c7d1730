// Host launchers of the CUDA packed kernels (packed_linear_cuda.cu) and the raw view of a packed
// weight they take. No LibTorch here, so nvcc can include it; packed_linear.cpp builds the view
// from a PackedWeight on the GPU.
#pragma once

#include <cstdint>

namespace ptq::kernels {

enum class ActDType : int32_t { F32 = 0, F16 = 1, BF16 = 2 };

struct PackedDeviceView {
  const uint32_t* words;  // [n, words_per_row]
  const float* scales;    // [n, groups]
  const uint8_t* zeros;   // [n, groups], null for minifloat formats
  int64_t n, k, group_size, groups, words_per_row;
  int32_t format;  // PackedFormat
  int32_t bits;
};

// y [m, n] = x [m, k] · Wᵀ, FP32 accumulation; x and y in `dtype`, contiguous; m ≤ 8.
// Launches on `stream` (a cudaStream_t; null = the legacy default stream LibTorch uses);
// throws std::runtime_error with the CUDA error on failure. No synchronisation.
void packed_gemv_cuda(const PackedDeviceView& w, const void* x, void* y, int64_t m, ActDType dtype, void* stream);
// out [n, k] in `dtype` = the dequantised weight (bit-identical to dequantize_reference in FP32).
void packed_dequantize_cuda(const PackedDeviceView& w, void* out, ActDType dtype, void* stream);

}  // namespace ptq::kernels
