// Packed linear / conv2d kernels against the reference (dequantise with the plain reference
// code, then a float matmul): every format, odd shapes, both CPU paths, identity inputs, thread
// counts; [cuda] cases run wherever a GPU is present.
#include <catch2/catch.hpp>

#include "framework/core/check.h"
#include "kernels/fake_quant/fake_quant.h"
#include "kernels/packed_linear/packed_linear.h"

#include <ATen/Parallel.h>

using namespace ptq;
using namespace ptq::kernels;

namespace {

// Largest |a − b| relative to the largest |b|.
double rel_error(const torch::Tensor& a, const torch::Tensor& b) {
  return (a - b).abs().max().item<double>() / std::max(b.abs().max().item<double>(), 1e-30);
}

}  // namespace

TEST_CASE("packed linear: CPU paths match the reference for every format and odd shapes", "[kernels][packed]") {
  torch::manual_seed(5);
  // Both the AVX-512 kernels (where the CPU has them) and the portable ones.
  const bool avx512 = GENERATE(true, false);
  allow_avx512_packed_kernels(avx512);
  // K not a multiple of the group (200, 4099), N not a multiple of any tile (33, 7), M = 1 … 129.
  for (auto f : all_packed_formats())
    for (auto [n, k, g] : std::vector<std::tuple<int64_t, int64_t, int64_t>>{{33, 200, 64}, {7, 4099, 128}, {5, 27, 27}}) {
      const auto w = quantize_rtn(torch::randn({n, k}), f, g);
      const auto bias = torch::randn({n});
      for (int64_t m : {1, 4, 16, 17, 129}) {
        INFO(format_traits(f).name << " N=" << n << " K=" << k << " G=" << g << " M=" << m);
        const auto x = torch::randn({m, k});
        const auto ref = packed_linear_reference(x, w, bias);
        for (auto path : {PackedPath::Auto, PackedPath::Gemv, PackedPath::DequantGemm})
          CHECK(rel_error(packed_linear(x, w, bias, path), ref) < 1e-5);
      }
    }
  allow_avx512_packed_kernels(true);
}

TEST_CASE("packed linear: the identity input returns the dequantised weight exactly", "[kernels][packed]") {
  torch::manual_seed(6);
  const bool avx512 = GENERATE(true, false);
  allow_avx512_packed_kernels(avx512);
  for (auto f : all_packed_formats()) {
    INFO(format_traits(f).name);
    const auto w = quantize_rtn(torch::randn({24, 96}), f, 32);
    const auto eye = torch::eye(96);
    const auto wt = dequantize_reference(w).t();
    CHECK(torch::equal(packed_linear(eye, w, {}, PackedPath::Gemv), wt));
    CHECK(torch::equal(packed_linear(eye, w, {}, PackedPath::DequantGemm), wt));
    CHECK(torch::equal(dequantize(w), dequantize_reference(w)));
  }
  allow_avx512_packed_kernels(true);
}

TEST_CASE("packed linear: results do not depend on the thread count", "[kernels][packed]") {
  torch::manual_seed(7);
  const auto w = quantize_rtn(torch::randn({300, 1000}), PackedFormat::Int4, 128);
  const auto x = torch::randn({3, 1000});
  const int before = at::get_num_threads();
  at::set_num_threads(1);
  const auto one = packed_linear(x, w, {}, PackedPath::Gemv);
  at::set_num_threads(2);
  const auto two = packed_linear(x, w, {}, PackedPath::Gemv);
  at::set_num_threads(before);
  CHECK(torch::equal(one, two));
}

TEST_CASE("packed linear: batched inputs keep their leading shape; bad operands are clear errors",
          "[kernels][packed]") {
  const auto w = quantize_rtn(torch::randn({8, 64}), PackedFormat::Int8, 64);
  const auto x = torch::randn({2, 3, 64});
  const auto y = packed_linear(x, w);
  CHECK(y.sizes() == torch::IntArrayRef({2, 3, 8}));
  CHECK(rel_error(y, packed_linear_reference(x, w)) < 1e-5);
  CHECK_THROWS_WITH(packed_linear(torch::randn({2, 63}), w), Catch::Contains("input has shape [2, 63]"));
  CHECK_THROWS_WITH(packed_linear(x, w, torch::zeros({7})), Catch::Contains("bias must be [8]"));
  auto broken = w;
  broken.scales = torch::ones({8, 2});
  CHECK_THROWS_WITH(packed_linear(x, broken), Catch::Contains("scales must be float32 [8, 1]"));
}

TEST_CASE("packed conv2d equals conv2d with the dequantised weight bit for bit", "[kernels][packed]") {
  torch::manual_seed(8);
  const std::vector<int64_t> shape{16, 8, 3, 3};
  const auto w = quantize_rtn(torch::randn({16, 72}), PackedFormat::Int4, 72);
  const auto x = torch::randn({2, 8, 9, 9});
  const auto bias = torch::randn({16});
  const auto expect = torch::conv2d(x, dequantize_reference(w).view(shape), bias, 2, 1, 1, 1);
  CHECK(torch::equal(packed_conv2d(x, w, shape, bias, 2, 1, 1, 1), expect));
  CHECK_THROWS_WITH(packed_conv2d(x, w, {16, 8, 3, 2}, bias, 1, 0, 1, 1), Catch::Contains("does not match"));
}

TEST_CASE("packed linear on CUDA: GEMV and dequantise + cuBLAS match the reference", "[kernels][packed][cuda]") {
  if (!cuda_kernels_available()) {
    WARN("no CUDA device (or ptq built without CUDA): skipped");
    return;
  }
  torch::manual_seed(9);
  for (auto f : all_packed_formats())
    for (auto [n, k, g] : std::vector<std::tuple<int64_t, int64_t, int64_t>>{{33, 200, 64}, {257, 4099, 128}, {5, 27, 27}}) {
      const auto w = quantize_rtn(torch::randn({n, k}), f, g);
      const auto wc = w.to(torch::kCUDA);
      CHECK(torch::equal(dequantize(wc).cpu(), dequantize_reference(w)));
      for (int64_t m : {1, 3, 8, 16, 129}) {
        INFO(format_traits(f).name << " N=" << n << " K=" << k << " M=" << m);
        const auto x = torch::randn({m, k});
        const auto ref = packed_linear_reference(x, w);
        CHECK(rel_error(packed_linear(x.cuda(), wc).cpu(), ref) < 1e-4);  // FP32 (TF32 off by default)
        const auto half = packed_linear(x.cuda().to(torch::kHalf), wc).cpu().to(torch::kFloat);
        CHECK(rel_error(half, packed_linear_reference(x.to(torch::kHalf).to(torch::kFloat), w)) < 1e-3);  // FP16 activations and output
        const auto bf = packed_linear(x.cuda().to(torch::kBFloat16), wc).cpu().to(torch::kFloat);
        CHECK(rel_error(bf, packed_linear_reference(x.to(torch::kBFloat16).to(torch::kFloat), w)) < 1e-2);
      }
      const auto eye = torch::eye(k).narrow(0, 0, std::min<int64_t>(k, 8)).cuda();
      CHECK(torch::equal(packed_linear(eye, wc, {}, PackedPath::Gemv).cpu(),
                         dequantize_reference(w).t().narrow(0, 0, std::min<int64_t>(k, 8))));
    }
}
