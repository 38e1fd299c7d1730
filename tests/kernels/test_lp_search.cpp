#include <catch2/catch.hpp>

#include "kernels/lp_search/lp_search.h"
#include "kernels/lp_search/lp_search_internal.h"

#include <cmath>
#include <limits>
#include <random>
#include <vector>

using namespace ptq;
using kernels::lp_search_detail::Path;

namespace {

// The tensor-op specification: fake-quant each candidate, then mean |x − x̂|^p over valid elements.
torch::Tensor reference_scores(const torch::Tensor& xg, const torch::Tensor& s, const torch::Tensor& z, int64_t qmin,
                               int64_t qmax, double p) {
  std::vector<torch::Tensor> out;
  for (int64_t c = 0; c < s.size(0); ++c) {
    auto sc = s[c].unsqueeze(-1), zc = z[c].unsqueeze(-1);
    auto q = torch::clamp(torch::round(xg / sc) + zc, static_cast<double>(qmin), static_cast<double>(qmax));
    auto err = (xg - (q - zc) * sc).abs().to(torch::kDouble).pow(p);
    out.push_back(torch::nanmean(err, {-1}));
  }
  return torch::stack(out);
}

double max_rel_err(const torch::Tensor& a, const torch::Tensor& ref) {
  return ((a - ref).abs() / ref.abs().clamp_min(1e-30)).max().item<double>();
}

// The paths this machine can run: the scalar one always, AVX2 where the CPU has it.
std::vector<Path> runnable_paths() {
  std::vector<Path> paths{Path::Auto, Path::Scalar};
  if (kernels::lp_search_detail::avx2_available()) paths.push_back(Path::Avx2);
  return paths;
}

const char* path_name(Path p) { return p == Path::Auto ? "auto" : p == Path::Scalar ? "scalar" : "avx2"; }

// Asymmetric candidates from the per-group range shrunk by 1 − 0.02·i (BRECQ's search).
std::pair<torch::Tensor, torch::Tensor> shrink_candidates(const torch::Tensor& x, int64_t qmax, int count) {
  auto mn = std::get<0>(x.nan_to_num(0).min(1)), mx = std::get<0>(x.nan_to_num(0).max(1));
  std::vector<torch::Tensor> ss, zz;
  for (int i = 0; i < count; ++i) {
    const double f = 1.0 - 0.02 * i;
    auto s = ((mx - mn) * f / qmax).clamp_min(1e-8);
    ss.push_back(s);
    zz.push_back(torch::round(-mn * f / s));
  }
  return {torch::stack(ss), torch::stack(zz)};
}

}  // namespace

TEST_CASE("lp_search: fused scores match the fake-quant formula", "[kernels][lp_search]") {
  const double p = GENERATE(2.0, 2.4, 3.0);
  const int bits = GENERATE(2, 4, 8);
  torch::manual_seed(bits);
  const int64_t groups = 5, n = 5000;
  auto x = torch::randn({groups, n}) * torch::rand({groups, 1}) * 3;
  x.index_put_({1, torch::indexing::Slice(4000, n)}, std::numeric_limits<float>::quiet_NaN());  // padding
  const int64_t qmax = (1 << bits) - 1;
  auto [s, z] = shrink_candidates(x, qmax, 40);
  auto ref = reference_scores(x, s, z, 0, qmax, p);
  for (Path path : runnable_paths()) {
    auto fused = kernels::lp_search_detail::lp_scores_cpu_path(x, s, z, 0, qmax, p, path);
    INFO("p " << p << ", " << bits << " bits, path " << path_name(path));
    CHECK(max_rel_err(fused, ref) < 1e-6);
    CHECK(torch::equal(fused.argmin(0), ref.argmin(0)));
  }
  CHECK(torch::equal(kernels::lp_scores_cpu(x, s, z, 0, qmax, p),
                     kernels::lp_search_detail::lp_scores_cpu_path(x, s, z, 0, qmax, p, Path::Auto)));
}

TEST_CASE("lp_search: tails, scattered NaNs, zeros and clipped large values", "[kernels][lp_search]") {
  const double p = GENERATE(2.0, 2.4);
  // Lengths around the vector width (8) and the block size (2048), none a multiple of either
  // except where a block boundary meets a tail.
  const int64_t n = GENERATE(1, 5, 7, 9, 23, 2047, 2049, 2 * 2048 + 13, 3 * 2048);
  torch::manual_seed(n);
  const int64_t groups = 3;
  auto x = torch::randn({groups, n});
  // Exact zeros, values far outside every candidate's range (clipped, large errors) and NaN
  // padding at random positions (not only at the end).
  auto u = torch::rand({groups, n});
  x.masked_fill_(u < 0.1, 0.0);
  x = torch::where((u >= 0.1) & (u < 0.13), x * 1e5, x);
  x.masked_fill_((u >= 0.13) & (u < 0.2), std::numeric_limits<float>::quiet_NaN());
  x[0][0] = 0.5f;  // every group keeps at least one valid element
  x[1][0] = -0.25f;
  x[2][0] = 3.0f;
  // Candidates from the unclipped bulk, so the large values fall outside the grid, plus two
  // whose zero point lies off the grid (then x = 0 has a non-zero error too).
  const int64_t qmax = 15;
  auto bulk = torch::where(x.abs() < 10, x, torch::zeros_like(x));
  auto [s0, z0] = shrink_candidates(bulk, qmax, 25);
  auto s = torch::cat({s0, s0.slice(0, 0, 2)});
  auto z = torch::cat({z0, torch::full({1, groups}, -3.0f), torch::full({1, groups}, static_cast<float>(qmax + 4))});
  auto ref = reference_scores(x, s, z, 0, qmax, p);
  REQUIRE(torch::isfinite(ref).all().item<bool>());
  for (Path path : runnable_paths()) {
    auto fused = kernels::lp_search_detail::lp_scores_cpu_path(x, s, z, 0, qmax, p, path);
    INFO("p " << p << ", n " << n << ", path " << path_name(path));
    CHECK(max_rel_err(fused, ref) < 1e-6);
    CHECK(torch::equal(fused.argmin(0), ref.argmin(0)));
  }
}

TEST_CASE("lp_search: scalar and AVX2 paths agree and results are deterministic", "[kernels][lp_search]") {
  const double p = GENERATE(2.0, 2.4, 1.5);
  torch::manual_seed(7);
  auto x = torch::randn({4, 3 * 2048 + 5}) * 2;
  auto [s, z] = shrink_candidates(x, 15, 80);
  const auto first = kernels::lp_scores_cpu(x, s, z, 0, 15, p);
  for (int rep = 0; rep < 3; ++rep) CHECK(torch::equal(kernels::lp_scores_cpu(x, s, z, 0, 15, p), first));
  const auto scalar = kernels::lp_search_detail::lp_scores_cpu_path(x, s, z, 0, 15, p, Path::Scalar);
  CHECK(torch::equal(kernels::lp_search_detail::lp_scores_cpu_path(x, s, z, 0, 15, p, Path::Scalar), scalar));
  INFO("p " << p);
  // p = 2: the same exact squares, summed in another order; otherwise two |e|^p algorithms
  // (FMA / double combination), each within ~1.5e-7 of the exact power.
  CHECK(max_rel_err(first, scalar) < (p == 2.0 ? 1e-12 : 1e-7));
}

TEST_CASE("lp_search: |e|^p approximation is accurate to 2.5e-7", "[kernels][lp_search]") {
  const double p = GENERATE(0.5, 1.0, 1.5, 2.0, 2.4, 3.0, 4.0);
  // Log-uniform e over the whole normal float range plus special points.
  std::mt19937 gen(42);
  std::uniform_real_distribution<double> expo(-125.9, 127.9);
  std::vector<float> e;
  for (int i = 0; i < 200000; ++i) e.push_back(static_cast<float>(std::exp2(expo(gen))));
  for (int k = -126; k <= 127; ++k) {
    e.push_back(std::ldexp(1.0f, k));
    if (k > -126) e.push_back(std::nextafter(std::ldexp(1.0f, k), 0.0f));
    e.push_back(static_cast<float>(std::ldexp(std::sqrt(2.0), k)));
  }
  for (float v : {1.0f, 0.5f, 2.0f, 1e-3f, 0.1f, 0.70710677f, 0.70710683f, 1.4142135f, 1.4142137f,
                  std::numeric_limits<float>::max(), std::numeric_limits<float>::min()}) {
    e.push_back(v);
  }
  const size_t n_normal = e.size();
  e.insert(e.end(), {0.0f, std::numeric_limits<float>::denorm_min(), 1e-40f, std::nextafter(1.17549435e-38f, 0.0f)});
  for (Path path : runnable_paths()) {
    std::vector<double> out(e.size());
    kernels::lp_search_detail::pow_values(e.data(), out.data(), static_cast<int64_t>(e.size()), p, path);
    double worst = 0.0;
    float worst_e = 0.0f;
    for (size_t i = 0; i < n_normal; ++i) {
      const double ref = std::pow(static_cast<double>(e[i]), p);
      const double rel = std::fabs(out[i] - ref) / ref;
      if (!(rel <= worst)) worst = rel, worst_e = e[i];
    }
    INFO("p " << p << ", path " << path_name(path) << ", worst at e = " << worst_e);
    CHECK(worst < 2.5e-7);
    for (size_t i = n_normal; i < e.size(); ++i) {
      // p = 2 squares exactly in double; otherwise zero and subnormal e give 0.
      CHECK(out[i] == (p == 2.0 ? static_cast<double>(e[i]) * static_cast<double>(e[i]) : 0.0));
    }
    if (p == 2.0) CHECK(worst == 0.0);
  }
}

TEST_CASE("lp_search: infinite data give infinite scores on every path", "[kernels][lp_search]") {
  const double p = GENERATE(2.0, 2.4);
  auto x = torch::randn({2, 100});
  x[1][37] = std::numeric_limits<float>::infinity();
  auto [s, z] = shrink_candidates(torch::randn({2, 100}), 15, 3);
  for (Path path : runnable_paths()) {
    auto fused = kernels::lp_search_detail::lp_scores_cpu_path(x, s, z, 0, 15, p, path);
    INFO("p " << p << ", path " << path_name(path));
    CHECK(torch::isfinite(fused.select(1, 0)).all().item<bool>());
    CHECK(torch::isinf(fused.select(1, 1)).all().item<bool>());
  }
}

TEST_CASE("lp_search: shape errors are reported", "[kernels][lp_search]") {
  CHECK_THROWS(kernels::lp_scores_cpu(torch::zeros({2, 3}), torch::ones({4, 3}), torch::zeros({4, 3}), 0, 15, 2.0));
  CHECK_THROWS(kernels::lp_scores_cpu(torch::zeros({2, 3}), torch::ones({4, 2}), torch::zeros({4, 2}), 0, 15, 0.0));
}
