#include <catch2/catch.hpp>

#include "framework/recon/activation_cache.h"
#include "framework/recon/granularity.h"
#include "framework/recon/loss.h"
#include "tests/support/recon_fixture.h"

using namespace ptq;

TEST_CASE("loss: lp sums over channels and averages over batch and positions", "[recon][loss]") {
  auto a = torch::zeros({2, 3, 2, 2});
  auto b = torch::ones({2, 3, 2, 2});
  CHECK(lp_reconstruction_loss(a, b, 2.0).item<double>() == Approx(3.0));
  CHECK(lp_reconstruction_loss(a, 2 * b, 2.4).item<double>() == Approx(3.0 * std::pow(2.0, 2.4)));
  CHECK(lp_reconstruction_loss(torch::zeros({4, 10}), torch::ones({4, 10}), 2.0).item<double>() == Approx(10.0));
}

TEST_CASE("loss: the Fisher-weighted loss equals MSE when every weight is one", "[recon][loss]") {
  torch::manual_seed(2);
  auto a = torch::randn({4, 8, 5, 5}), b = torch::randn({4, 8, 5, 5});
  CHECK(torch::equal(weighted_mse_loss(a, b, torch::ones_like(a)), lp_reconstruction_loss(a, b, 2.0)));
  auto w = torch::rand_like(a);
  CHECK(weighted_mse_loss(a, b, w).item<double>() == Approx(((a - b).pow(2) * w).sum(1).mean().item<double>()));
}

TEST_CASE("loss: Fisher weights come from the task-loss gradient and average to one", "[recon][loss]") {
  auto f = test::make_recon_fixture();
  auto& model = *f.model;
  GranularityOptions go;
  auto groups = make_groups(model, go);
  const auto& g = groups[1];  // layer1.0
  ActivationCache cache;
  const int64_t n = f.images.size(0);
  {
    torch::NoGradGuard no_grad;
    auto in = model.forward_units(f.images, 0, 1);
    cache.fill("q_in", n, 16, [&](int64_t b, int64_t c) { return in.narrow(0, b, c); });
    model.set_all_quantizers(QuantizerState::Off);
    auto out = model.forward_units(in, 1, 2);
    cache.fill("fp_out", n, 16, [&](int64_t b, int64_t c) { return out.narrow(0, b, c); });
    model.set_all_quantizers(QuantizerState::Quantize);
  }
  GroupContext ctx{model, g, cache, n, 16, [&](const torch::Tensor& x) { return model.forward_units(x, 1, 2); }};
  LossOptions o;
  o.kind = "fisher";
  auto loss = make_loss(o);
  loss->prepare(ctx);
  REQUIRE(cache.has("fisher"));
  auto w = cache.slice("fisher", 0, n);
  CHECK(w.min().item<double>() >= 0.0);
  CHECK(w.std().item<double>() > 0.0);  // not the degenerate all-equal weighting
  auto idx = torch::arange(n);
  auto y = ctx.forward(cache.slice("q_in", 0, n));
  auto t = cache.slice("fp_out", 0, n);
  LossTerms terms;
  auto l = loss->compute(LossBatch{y, t, idx, ctx}, terms);
  auto expect = weighted_mse_loss(y, t, w / w.mean());
  CHECK(l.item<double>() == Approx(expect.item<double>()).epsilon(1e-4));
  CHECK(terms.count("rec") == 1);

  GranularityOptions layer;
  layer.kind = "layer";
  auto lg = make_groups(model, layer);
  GroupContext lctx{model, lg[1], cache, n, 16, nullptr};
  CHECK_THROWS_WITH(make_loss(o)->prepare(lctx), Catch::Contains("needs block (or coarser) granularity"));
}
