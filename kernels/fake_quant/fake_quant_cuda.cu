// CUDA version of fake_quant_rows (see fake_quant.h): one thread per element, grid-stride.
#include <cuda_runtime.h>

#include <cstdint>
#include <stdexcept>
#include <string>

namespace ptq::kernels {
namespace {

constexpr int kThreadsPerBlock = 256;
constexpr int kMaxBlocks = 65535;

void check_cuda(cudaError_t err, const char* what) {
  if (err != cudaSuccess) throw std::runtime_error(std::string(what) + ": " + cudaGetErrorString(err));
}

__device__ __forceinline__ float fake_quant_scalar(float x, float s, float z, float lo, float hi) {
  float q = rintf(x / s) + z;
  q = fminf(fmaxf(q, lo), hi);
  return (q - z) * s;
}

__global__ void fake_quant_rows_kernel(const float* __restrict__ x, const float* __restrict__ scale,
                                       const float* __restrict__ zp, float* __restrict__ y,
                                       int64_t rows, int64_t cols, float lo, float hi) {
  const int64_t n = rows * cols;
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t r = i / cols;
    y[i] = fake_quant_scalar(x[i], scale[r], zp[r], lo, hi);
  }
}

}  // namespace

bool cuda_device_present() {
  int count = 0;
  return cudaGetDeviceCount(&count) == cudaSuccess && count > 0;
}

void fake_quant_rows_cuda(const float* x, const float* scale, const float* zero_point, float* y,
                          int64_t rows, int64_t cols, int64_t qmin, int64_t qmax) {
  const int64_t n = rows * cols;
  if (n == 0) return;
  const int64_t blocks64 = (n + kThreadsPerBlock - 1) / kThreadsPerBlock;
  const int blocks = static_cast<int>(blocks64 < kMaxBlocks ? blocks64 : kMaxBlocks);
  fake_quant_rows_kernel<<<blocks, kThreadsPerBlock, 0, cudaStreamPerThread>>>(
      x, scale, zero_point, y, rows, cols, static_cast<float>(qmin), static_cast<float>(qmax));
  check_cuda(cudaGetLastError(), "fake_quant_rows_cuda launch");
  check_cuda(cudaStreamSynchronize(cudaStreamPerThread), "fake_quant_rows_cuda");
}

}  // namespace ptq::kernels
