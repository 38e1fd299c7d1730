// Tensor helpers for tests: closeness with a message that prints shape, dtype and the worst
// element, so a failing comparison says what differed.
#pragma once

#include <torch/torch.h>

#include <string>

namespace ptq::test {

// Max |a-b| / (|b| + atol) style check; returns "" when close, else a description.
std::string compare(const torch::Tensor& a, const torch::Tensor& b, double rtol, double atol);

// Normalised MSE: sum((a-b)^2) / sum(b^2).
double nmse(const torch::Tensor& a, const torch::Tensor& b);

// Signal-to-quantisation-noise ratio in dB of `approx` against `ref`.
double sqnr_db(const torch::Tensor& approx, const torch::Tensor& ref);

}  // namespace ptq::test

#define PTQ_REQUIRE_CLOSE(a, b, rtol, atol)                       \
  do {                                                             \
    const std::string _msg = ::ptq::test::compare((a), (b), (rtol), (atol)); \
    INFO(_msg);                                                    \
    REQUIRE(_msg.empty());                                         \
  } while (0)
