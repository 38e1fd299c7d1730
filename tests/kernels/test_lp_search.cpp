#include <catch2/catch.hpp>

#include "kernels/lp_search/lp_search.h"

using namespace ptq;

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

}  // namespace

TEST_CASE("lp_search: fused scores match the fake-quant formula", "[kernels][lp_search]") {
  const double p = GENERATE(2.0, 2.4, 3.0);
  const int bits = GENERATE(2, 4, 8);
  torch::manual_seed(bits);
  const int64_t groups = 5, n = 5000;
  auto x = torch::randn({groups, n}) * torch::rand({groups, 1}) * 3;
  x.index_put_({1, torch::indexing::Slice(4000, n)}, std::numeric_limits<float>::quiet_NaN());  // padding
  const int64_t qmax = (1 << bits) - 1;
  auto mn = std::get<0>(x.nan_to_num(0).min(1)), mx = std::get<0>(x.nan_to_num(0).max(1));
  std::vector<torch::Tensor> ss, zz;
  for (int i = 0; i < 40; ++i) {
    const double f = 1.0 - 0.02 * i;
    auto s = ((mx - mn) * f / qmax).clamp_min(1e-8);
    ss.push_back(s);
    zz.push_back(torch::round(-mn * f / s));
  }
  auto s = torch::stack(ss), z = torch::stack(zz);
  auto fused = kernels::lp_scores_cpu(x, s, z, 0, qmax, p);
  auto ref = reference_scores(x, s, z, 0, qmax, p);
  INFO("p " << p << ", " << bits << " bits");
  CHECK(((fused - ref).abs() / ref.abs().clamp_min(1e-30)).max().item<double>() < 1e-6);
  CHECK(torch::equal(fused.argmin(0), ref.argmin(0)));
}

TEST_CASE("lp_search: shape errors are reported", "[kernels][lp_search]") {
  CHECK_THROWS(kernels::lp_scores_cpu(torch::zeros({2, 3}), torch::ones({4, 3}), torch::zeros({4, 3}), 0, 15, 2.0));
}
