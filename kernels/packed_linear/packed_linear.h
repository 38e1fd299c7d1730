// Packed linear and conv2d: layers whose weight is a PackedWeight (kernels/pack).
//
//   packed_linear(x, W, b) = x · dequant(W)ᵀ + b      x [..., K] → y [..., N]
//
// Paths, chosen by packed_linear() from the device and the number of rows M of x:
//   CPU  M ≤ gemv_max_rows: GEMV kernel — each thread takes a block of output rows, decodes one
//        group of codes at a time into a small float buffer (vectorised, AVX-512/AVX2/generic
//        clones) and multiplies it with every row of x; FP32 accumulation.
//   CPU  larger M: dequantise into float32 (in parallel over rows), then one OpenBLAS sgemm.
//   CUDA M ≤ 8: GEMV kernel (codes decoded in registers, coalesced 128-bit loads of the
//        packed words, FP32/FP16/BF16 activations, FP32 accumulation).
//   CUDA larger M: dequantise to the activation dtype, then cuBLAS through torch::matmul.
// The reference (packed_linear_reference) dequantises with the plain reference code and
// calls torch::matmul; every path is tested against it.
// packed_conv2d dequantises the weight once per call and runs torch::conv2d, so its output
// equals the fake-quant conv's bit for bit on the CPU.
#pragma once

#include "kernels/pack/packed_weight.h"
#include "kernels/packed_linear/packed_cuda_launch.h"

#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace ptq::kernels {

enum class PackedPath { Auto, Gemv, DequantGemm };

// Largest M that takes the GEMV path on the CPU under PackedPath::Auto.
constexpr int64_t kCpuGemvMaxRows = 16;
// Largest M that takes the GEMV path on CUDA under PackedPath::Auto.
constexpr int64_t kCudaGemvMaxRows = 8;

torch::Tensor packed_linear(const torch::Tensor& x, const PackedWeight& w, const torch::Tensor& bias = {},
                            PackedPath path = PackedPath::Auto);
torch::Tensor packed_linear_reference(const torch::Tensor& x, const PackedWeight& w, const torch::Tensor& bias = {});
// The dequantised weight [N, K] in `dtype` on w's device, equal to dequantize_reference
// (float32) element for element; CPU: parallel and vectorised, CUDA: one kernel.
torch::Tensor dequantize(const PackedWeight& w, torch::ScalarType dtype = torch::kFloat);

// Conv2d with a packed weight of logical shape `weight_shape` [O, I/groups, kh, kw]
// (packed as N = O rows of K = I/groups·kh·kw).
torch::Tensor packed_conv2d(const torch::Tensor& x, const PackedWeight& w, const std::vector<int64_t>& weight_shape,
                            const torch::Tensor& bias, int64_t stride, int64_t padding, int64_t dilation,
                            int64_t groups);

// CPU kernels (packed_linear_cpu.cpp): x float32 contiguous [M, K] → y float32 [M, N].
torch::Tensor packed_gemv_cpu(const torch::Tensor& x, const PackedWeight& w);
torch::Tensor dequantize_cpu(const PackedWeight& w);

}  // namespace ptq::kernels
