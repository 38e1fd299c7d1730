// Integer fake-quantisation with per-row affine parameters, the inference-time primitive:
//   y[r, c] = (clamp(round(x[r, c] / scale[r]) + zero_point[r], qmin, qmax) - zero_point[r]) * scale[r]
// with round-half-to-even (as torch.round and CUDA's rintf). Every granularity reduces to
// this shape: per-tensor is R = 1, per-channel is one row per channel, per-group one row
// per (channel, group). fake_quant_rows() checks its inputs and dispatches to the CPU
// reference or, for CUDA tensors, to the CUDA kernel.
#pragma once

#include <torch/torch.h>

#include <cstdint>

namespace ptq::kernels {

// x: float32 [R, C]; scale, zero_point: float32 [R]. Returns float32 [R, C].
torch::Tensor fake_quant_rows(const torch::Tensor& x, const torch::Tensor& scale,
                              const torch::Tensor& zero_point, int64_t qmin, int64_t qmax);

// The plain CPU reference (the specification); same contract as fake_quant_rows.
torch::Tensor fake_quant_rows_cpu(const torch::Tensor& x, const torch::Tensor& scale,
                                  const torch::Tensor& zero_point, int64_t qmin, int64_t qmax);

// True when ptq was built with CUDA kernels and a CUDA device is usable.
bool cuda_kernels_available();

#ifdef PTQ_WITH_CUDA
// Host launcher of the CUDA kernel; raw device pointers, current stream.
void fake_quant_rows_cuda(const float* x, const float* scale, const float* zero_point, float* y,
                          int64_t rows, int64_t cols, int64_t qmin, int64_t qmax);
bool cuda_device_present();
#endif

}  // namespace ptq::kernels
