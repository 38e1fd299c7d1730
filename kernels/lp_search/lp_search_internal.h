// Internals of kernels/lp_search exposed for tests and benchmarks only: the code path can be
// forced (the portable scalar loop or the AVX2 loop) and the |e|^p approximation evaluated on
// its own. Library code calls ptq::kernels::lp_scores_cpu (lp_search.h), which picks the path.
#pragma once

#include <torch/torch.h>

#include <cstdint>

namespace ptq::kernels::lp_search_detail {

enum class Path {
  Auto,    // AVX2 where the CPU has it, otherwise scalar (what lp_scores_cpu does)
  Scalar,  // portable C++ loop, any CPU
  Avx2,    // throws when the CPU (or this build) has no AVX2 path
};

// Whether the AVX2 path is compiled in and the running CPU supports it.
bool avx2_available();

// lp_scores_cpu with the code path chosen by the caller.
torch::Tensor lp_scores_cpu_path(const torch::Tensor& xg, const torch::Tensor& scale, const torch::Tensor& zero_point,
                                 int64_t qmin, int64_t qmax, double p, Path path);

// out[i] = |e[i]|^p as the chosen path computes it inside the kernel (e >= 0 expected; zero and
// subnormal e give 0).
void pow_values(const float* e, double* out, int64_t n, double p, Path path);

}  // namespace ptq::kernels::lp_search_detail
