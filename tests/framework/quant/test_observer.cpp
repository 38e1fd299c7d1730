#include <catch2/catch.hpp>

#include "framework/quant/fake_quant.h"
#include "framework/quant/observer.h"

using namespace ptq;

namespace {
QuantSpec spec4(Granularity g = Granularity::Channel) {
  QuantSpec s;
  s.bits = 4;
  s.granularity = g;
  return s;
}
torch::Tensor score(const torch::Tensor& xg, const QParams& q, const QuantSpec& s) {
  return lp_score(xg, fake_quant_grouped(xg, q.scale, q.zero_point, s), 2.4);
}
QParams run(const std::string& kind, const torch::Tensor& xg, const QuantSpec& s) {
  ObserverOptions o;
  o.kind = kind;
  auto obs = make_observer(o);
  obs->observe(xg);
  return obs->compute(s);
}
}  // namespace

TEST_CASE("min-max observer covers the data and accumulates batches", "[quant]") {
  auto obs = make_observer({});
  obs->observe(torch::tensor({-1.0f, 0.5f}).reshape({1, 1, 2}));
  obs->observe(torch::tensor({0.0f, 2.0f}).reshape({1, 1, 2}));
  auto q = obs->compute(spec4(Granularity::Tensor));
  CHECK(q.scale.item<float>() == Approx(0.2f));
  CHECK(q.zero_point.item<float>() == 5.0f);
}

TEST_CASE("Lp searches never score worse than min-max", "[quant]") {
  torch::manual_seed(3);
  auto xg = (torch::randn({8, 1, 256}) * torch::rand({8, 1, 1})).contiguous();
  xg.index_put_({0, 0, 0}, 9.0f);  // an outlier min-max must cover
  const auto s = spec4();
  auto base = score(xg, run("minmax", xg, s), s);
  for (const std::string kind : {"mse", "mse_grid"}) {
    auto searched = score(xg, run(kind, xg, s), s);
    INFO(kind);
    CHECK((searched <= base + 1e-7).all().item<bool>());
    CHECK((searched < base).any().item<bool>());
  }
}

TEST_CASE("BRECQ shrink search picks the best of its 80 candidates", "[quant]") {
  torch::manual_seed(5);
  auto xg = torch::randn({1, 1, 4096});
  const auto s = spec4(Granularity::Tensor);
  auto q = run("mse", xg, s);
  auto best = score(xg, q, s).item<float>();
  auto mn = xg.min(), mx = xg.max();
  for (int i = 0; i < 80; ++i) {
    const double f = 1.0 - 0.01 * i;
    auto cand = qparams_from_range((mn * f).reshape({1, 1}), (mx * f).reshape({1, 1}), s);
    CHECK(best <= score(xg, cand, s).item<float>() + 1e-7);
  }
}

TEST_CASE("QDrop grid search uses a 1-D search on one-sided data", "[quant]") {
  auto xg = torch::rand({1, 1, 2048}).pow(3);  // post-ReLU-like
  const auto s = spec4(Granularity::Tensor);
  auto q = run("mse_grid", xg, s);
  CHECK(q.zero_point.item<float>() == 0.0f);
  CHECK(q.scale.item<float>() < xg.max().item<float>() / 15.0f + 1e-7);
}

TEST_CASE("percentile observer ignores rare outliers", "[quant]") {
  auto x = torch::linspace(0, 1, 100001).reshape({1, 1, -1});
  x.index_put_({0, 0, 0}, -1000.0f);
  ObserverOptions o;
  o.kind = "percentile";
  o.percentile = 99.9;
  auto obs = make_observer(o);
  obs->observe(x);
  auto q = obs->compute(spec4(Granularity::Tensor));
  CHECK(q.scale.item<float>() < 0.1f);
}

TEST_CASE("observer options are validated with the key and a suggestion", "[quant]") {
  ObserverOptions o;
  o.kind = "msee";
  REQUIRE_THROWS_WITH(o.validate("quant.weight"),
                      Catch::Contains("quant.weight.observer: expected one of minmax, percentile, mse, mse_grid") &&
                          Catch::Contains("did you mean 'mse'"));
  o.kind = "mse";
  o.steps = 200;
  REQUIRE_THROWS_WITH(o.validate("quant.weight"), Catch::Contains("shrink search"));
}

TEST_CASE("search observers: streaming over batches picks what keeping all data picks", "[quant]") {
  const std::string kind = GENERATE("mse", "mse_grid");
  const bool one_sided = GENERATE(true, false);
  const auto g = GENERATE(Granularity::Tensor, Granularity::Channel);
  torch::manual_seed(17);
  auto x = torch::randn({4, 1, 3000}) * torch::rand({4, 1, 1}) + 0.1;
  if (one_sided) x = torch::relu(x);
  std::vector<torch::Tensor> batches = x.split(1000, -1);
  QuantSpec s = spec4(g);
  ObserverOptions o;
  o.kind = kind;
  auto keep = make_observer(o);
  for (const auto& b : batches) keep->observe(g == Granularity::Tensor ? b.reshape({1, 1, -1}) : b);
  auto expected = keep->compute(s);
  auto stream = make_observer(o);
  stream->set_streaming(true);
  int passes = 0;
  do {
    if (passes > 0) stream->next_pass(s);
    for (const auto& b : batches) stream->observe(g == Granularity::Tensor ? b.reshape({1, 1, -1}) : b);
    ++passes;
  } while (stream->wants_another_pass());
  CHECK(passes == 2);
  auto got = stream->compute(s);
  CHECK(torch::equal(got.scale, expected.scale));
  CHECK(torch::equal(got.zero_point, expected.zero_point));
}
