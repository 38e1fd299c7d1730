// Packed linear and conv2d: layers whose weight is a PackedWeight (kernels/pack).
//
//   packed_linear(x, W, b) = x · dequant(W)ᵀ + b      x [..., K] → y [..., N]
//
// Paths, chosen by packed_linear() from the device and the number of rows M of x:
//   CPU  M ≤ kCpuGemvMaxRows: GEMV kernel — each thread takes a block of output rows; with
//        AVX-512 the codes are decoded 16 at a time in registers and multiplied into up to 8
//        rows of x at once (packed_gemv_avx512.h), otherwise one group at a time is decoded
//        into a small float buffer (vectorised clones) and multiplied with every row of x;
//        FP32 accumulation.
//   CPU  larger M: dequantise panels of rows (≥ 1024 rows, ~16 MiB) into a reused buffer and
//        multiply each with OpenBLAS sgemm as soon as it is ready.
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
// The large-M path: panels of rows dequantised into a reused buffer, each multiplied by
// OpenBLAS sgemm as soon as it is ready.
torch::Tensor packed_gemm_cpu(const torch::Tensor& x, const PackedWeight& w);
// Lets the CPU kernels use their AVX-512 path where the CPU has it (default true); false
// forces the portable path (tests run both).
void allow_avx512_packed_kernels(bool allow);

}  // namespace ptq::kernels
