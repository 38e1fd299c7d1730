#include "kernels/fake_quant/fake_quant.h"

#include "framework/core/check.h"

namespace ptq::kernels {

bool cuda_kernels_available() {
#ifdef PTQ_WITH_CUDA
  return cuda_device_present() && torch::cuda::is_available();
#else
  return false;
#endif
}

torch::Tensor fake_quant_rows(const torch::Tensor& x, const torch::Tensor& scale,
                              const torch::Tensor& zero_point, int64_t qmin, int64_t qmax) {
  PTQ_CHECK(x.dim() == 2, "fake_quant_rows: x must be 2-D [rows, cols], got {} dims", x.dim());
  PTQ_CHECK(x.scalar_type() == torch::kFloat && scale.scalar_type() == torch::kFloat &&
                zero_point.scalar_type() == torch::kFloat,
            "fake_quant_rows: x, scale and zero_point must be float32");
  PTQ_CHECK(scale.numel() == x.size(0) && zero_point.numel() == x.size(0),
            "fake_quant_rows: scale and zero_point need one value per row ({}), got {} and {}",
            x.size(0), scale.numel(), zero_point.numel());
  PTQ_CHECK(qmin < qmax, "fake_quant_rows: qmin ({}) must be below qmax ({})", qmin, qmax);
  PTQ_CHECK(x.device() == scale.device() && x.device() == zero_point.device(),
            "fake_quant_rows: x, scale and zero_point must be on one device");
  if (x.is_cuda()) {
#ifdef PTQ_WITH_CUDA
    auto xc = x.contiguous();
    auto y = torch::empty_like(xc);
    fake_quant_rows_cuda(xc.data_ptr<float>(), scale.contiguous().data_ptr<float>(),
                         zero_point.contiguous().data_ptr<float>(), y.data_ptr<float>(), xc.size(0),
                         xc.size(1), qmin, qmax);
    return y;
#else
    PTQ_FAIL("fake_quant_rows: got a CUDA tensor but ptq was built without CUDA (-DPTQ_ENABLE_CUDA=ON)");
#endif
  }
  return fake_quant_rows_cpu(x, scale, zero_point, qmin, qmax);
}

}  // namespace ptq::kernels
