// CBQ's coarse-to-fine outlier detection (CFP, ptq-methods.md §6), on a set of non-negative
// values (weight magnitudes, or per-channel activation maxima):
//   coarse — candidates are the values above T = Q3 + λ1·IQR (λ1 = 1.5, the quartile rule);
//   fine   — the sorted candidates are split into a lower set A and an upper set B at the
//            point that maximises M = M_inter − λ2·M_intra, with M_inter = mean(B) − mean(A)
//            and M_intra = var(A) + var(B) (population variances); B are the outliers. A = ∅
//            (every candidate an outlier) is allowed; then M_inter is measured from T.
// The paper names the two terms; their exact definitions and λ2 are not given (inferred here,
// λ2 = 1 by default, an option).
#pragma once

#include <torch/torch.h>

namespace ptq::methods {

struct OutlierSplit {
  double threshold = 0;  // T of the coarse step
  double clip_to = 0;    // the largest value that is not an outlier (max A, or T when A = ∅)
  int64_t candidates = 0;
  int64_t outliers = 0;  // |B|; values > clip_to are outliers
};

double quartile_threshold(const torch::Tensor& values, double lambda1);
OutlierSplit find_outliers(const torch::Tensor& values, double lambda1, double lambda2);

}  // namespace ptq::methods
