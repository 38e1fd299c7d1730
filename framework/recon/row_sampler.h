// Calibration rows of each reconstruction iteration's batch:
//   with_replacement    — QDrop: randint(0, N, B)
//   without_replacement — BRECQ: randperm(N)[:B], a fresh permutation every iteration
//   epochs              — MetaAug: consecutive B-row slices of a permutation, a new one when
//                         fewer than B rows of the current one are left (randperm(N).view(−1, B))
// Random numbers come from LibTorch's global generator.
#pragma once

#include <torch/torch.h>

#include <algorithm>
#include <string>

namespace ptq {

class RowSampler {
 public:
  RowSampler(std::string kind, int64_t batch) : kind_(std::move(kind)), batch_(batch) {}
  torch::Tensor next(int64_t n) {
    if (kind_ == "without_replacement") return torch::randperm(n, torch::kLong).narrow(0, 0, std::min(batch_, n));
    if (kind_ == "epochs") {
      const int64_t b = std::min(batch_, n);
      if (!perm_.defined() || perm_.size(0) != n || pos_ + b > n) perm_ = torch::randperm(n, torch::kLong), pos_ = 0;
      pos_ += b;
      return perm_.narrow(0, pos_ - b, b);
    }
    return torch::randint(0, n, {batch_}, torch::kLong);
  }

 private:
  std::string kind_;
  int64_t batch_;
  torch::Tensor perm_;
  int64_t pos_ = 0;
};

}  // namespace ptq
