// Dispatch of packed linear / conv2d between the reference, the CPU kernels and the CUDA
// kernels (see packed_linear.h).
#include "kernels/packed_linear/packed_linear.h"

#include "framework/core/check.h"

namespace ptq::kernels {
namespace {

#ifdef PTQ_WITH_CUDA
PackedDeviceView device_view(const PackedWeight& w) {
  const auto& t = w.traits();
  return {reinterpret_cast<const uint32_t*>(w.words.data_ptr<int32_t>()), w.scales.data_ptr<float>(),
          t.is_float ? nullptr : w.zeros.data_ptr<uint8_t>(), w.n, w.k, w.group_size, w.groups(),
          t.words_per_row(w.k), static_cast<int32_t>(w.format), t.bits};
}

ActDType act_dtype(torch::ScalarType s) {
  if (s == torch::kFloat) return ActDType::F32;
  if (s == torch::kHalf) return ActDType::F16;
  if (s == torch::kBFloat16) return ActDType::BF16;
  PTQ_FAIL("packed CUDA kernels take float32, float16 or bfloat16 activations, got {}", c10::toString(s));
}
#endif

void check_operands(const torch::Tensor& x, const PackedWeight& w, const torch::Tensor& bias) {
  w.validate("packed_linear weight");
  PTQ_CHECK(x.dim() >= 1 && x.size(-1) == w.k, "packed_linear: input has shape [{}] but the packed weight is [{}, {}]",
            fmt::join(x.sizes(), ", "), w.n, w.k);
  PTQ_CHECK(x.device() == w.words.device(), "packed_linear: input on {} but the packed weight on {}",
            x.device().str(), w.words.device().str());
  PTQ_CHECK(!bias.defined() || (bias.dim() == 1 && bias.size(0) == w.n),
            "packed_linear: bias must be [{}], got [{}]", w.n, fmt::join(bias.sizes(), ", "));
}

torch::Tensor add_bias(torch::Tensor y, const torch::Tensor& bias) {
  return bias.defined() ? y + bias.to(y.scalar_type()) : y;
}

}  // namespace

torch::Tensor dequantize(const PackedWeight& w, torch::ScalarType dtype) {
  w.validate("packed weight");
  if (w.words.is_cuda()) {
#ifdef PTQ_WITH_CUDA
    auto out = torch::empty({w.n, w.k}, torch::TensorOptions().dtype(dtype).device(w.words.device()));
    packed_dequantize_cuda(device_view(w), out.data_ptr(), act_dtype(dtype), nullptr);
    return out;
#else
    PTQ_FAIL("packed weight on {} but ptq was built without CUDA (-DPTQ_ENABLE_CUDA=ON)", w.words.device().str());
#endif
  }
  auto out = dequantize_cpu(w);
  return dtype == torch::kFloat ? out : out.to(dtype);
}

torch::Tensor packed_linear_reference(const torch::Tensor& x, const PackedWeight& w, const torch::Tensor& bias) {
  check_operands(x, w, bias);
  const auto weight = dequantize_reference(w).to(x.device(), x.scalar_type());
  return add_bias(torch::matmul(x, weight.t()), bias);
}

torch::Tensor packed_linear(const torch::Tensor& x, const PackedWeight& w, const torch::Tensor& bias,
                            PackedPath path) {
  check_operands(x, w, bias);
  auto shape = x.sizes().vec();
  shape.back() = w.n;
  const auto x2 = x.reshape({-1, w.k}).contiguous();
  const int64_t m = x2.size(0);
  torch::Tensor y;
  if (x.is_cuda()) {
#ifdef PTQ_WITH_CUDA
    const bool gemv = path == PackedPath::Gemv || (path == PackedPath::Auto && m <= kCudaGemvMaxRows);
    if (gemv) {
      PTQ_CHECK(m <= kCudaGemvMaxRows, "packed_linear: the CUDA GEMV path takes at most {} rows, got {}",
                kCudaGemvMaxRows, m);
      y = torch::empty({m, w.n}, x2.options());
      packed_gemv_cuda(device_view(w), x2.data_ptr(), y.data_ptr(), m, act_dtype(x2.scalar_type()), nullptr);
    } else {
      y = torch::matmul(x2, dequantize(w, x2.scalar_type()).t());
    }
#else
    PTQ_FAIL("packed_linear: got a CUDA input but ptq was built without CUDA (-DPTQ_ENABLE_CUDA=ON)");
#endif
  } else {
    PTQ_CHECK(x2.scalar_type() == torch::kFloat, "packed_linear on the CPU takes float32 inputs, got {}",
              c10::toString(x2.scalar_type()));
    const bool gemv = path == PackedPath::Gemv || (path == PackedPath::Auto && m <= kCpuGemvMaxRows);
    y = gemv ? packed_gemv_cpu(x2, w) : packed_gemm_cpu(x2, w);
  }
  return add_bias(y, bias).reshape(shape);
}

torch::Tensor packed_conv2d(const torch::Tensor& x, const PackedWeight& w, const std::vector<int64_t>& weight_shape,
                            const torch::Tensor& bias, int64_t stride, int64_t padding, int64_t dilation,
                            int64_t groups) {
  PTQ_CHECK(weight_shape.size() == 4 && weight_shape[0] == w.n &&
                weight_shape[1] * weight_shape[2] * weight_shape[3] == w.k,
            "packed_conv2d: weight shape [{}] does not match the packed [{}, {}]", fmt::join(weight_shape, ", "), w.n,
            w.k);
  const auto weight = dequantize(w, x.scalar_type()).view(weight_shape);
  return torch::conv2d(x, weight, bias, stride, padding, dilation, groups);
}

}  // namespace ptq::kernels
