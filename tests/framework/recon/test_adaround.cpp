#include <catch2/catch.hpp>

#include "framework/quant/fake_quant.h"
#include "framework/quant/grouping.h"
#include "framework/quant/quantizer.h"
#include "framework/recon/adaround.h"
#include "tests/support/tensors.h"

using namespace ptq;

namespace {

struct Setup {
  Quantizer q;
  torch::Tensor w, wg;
  GroupLayout layout;
};

Setup channel_quantizer(int bits, std::vector<int64_t> shape = {8, 4, 3, 3}) {
  torch::manual_seed(3);
  Setup s;
  QuantizerOptions o;
  o.spec.bits = bits;
  o.spec.granularity = Granularity::Channel;
  o.observer.kind = "minmax";
  s.q = Quantizer(o);
  s.w = torch::randn(shape) * 0.2;
  s.q->calibrate(s.w);
  s.layout = group_layout(o.spec, s.w.sizes());
  s.wg = to_groups(s.w, s.layout);
  return s;
}

}  // namespace

TEST_CASE("adaround: h(V0) is the fractional part of W/s, so the soft weight starts at W", "[recon][adaround]") {
  auto s = channel_quantizer(4);
  AdaRound r(s.wg, s.q->scale(), s.q->options().spec, AdaRoundOptions{});
  auto y = s.wg / s.q->scale().unsqueeze(-1);
  PTQ_REQUIRE_CLOSE(r.h(), y - torch::floor(y), 1e-5, 1e-5);
  // Inside the clipping range the soft-quantised weight equals the float weight.
  auto soft = r.fake_quant(s.wg, s.q->scale(), s.q->zero_point(), s.q->options().spec);
  auto codes = y + s.q->zero_point().unsqueeze(-1);
  auto inside = (codes >= 0) & (codes <= 15);
  CHECK(torch::allclose(soft.masked_select(inside), s.wg.masked_select(inside), 1e-5, 1e-6));
}

TEST_CASE("adaround: hard rounding is floor + [V >= 0] on the grid", "[recon][adaround]") {
  auto s = channel_quantizer(3);
  AdaRound r(s.wg, s.q->scale(), s.q->options().spec, AdaRoundOptions{});
  r.set_soft(false);
  auto hard = r.fake_quant(s.wg, s.q->scale(), s.q->zero_point(), s.q->options().spec);
  auto sc = s.q->scale().unsqueeze(-1), z = s.q->zero_point().unsqueeze(-1);
  auto expect = (torch::clamp(torch::floor(s.wg / sc) + (r.v() >= 0).to(torch::kFloat) + z, 0, 7) - z) * sc;
  CHECK(torch::equal(hard, expect));
  // The initial V rounds exactly like nearest rounding (rest >= 0.5 <=> V0 >= 0).
  auto nearest = fake_quant(s.w, s.q->scale(), s.q->zero_point(), s.q->options().spec);
  CHECK(torch::allclose(from_groups(hard, s.layout), nearest, 0, 1e-6));
}

TEST_CASE("adaround: beta schedule and regulariser warm-up follow LinearTempDecay", "[recon][adaround]") {
  AdaRoundOptions o;  // warmup 0.2, 20 -> 2
  CHECK(adaround_beta(1, 1000, o) == 20.0);
  CHECK(adaround_beta(199, 1000, o) == 20.0);
  CHECK(adaround_beta(200, 1000, o) == Approx(20.0));
  CHECK(adaround_beta(600, 1000, o) == Approx(11.0));
  CHECK(adaround_beta(1000, 1000, o) == Approx(2.0));
  CHECK_FALSE(adaround_regularizer_active(199, 1000, o));
  CHECK(adaround_regularizer_active(200, 1000, o));
  CHECK(cosine_lr(4e-5, 0, 100) == Approx(4e-5));
  CHECK(cosine_lr(4e-5, 50, 100) == Approx(2e-5));
  CHECK(cosine_lr(4e-5, 100, 100) == Approx(0.0).margin(1e-18));
}

TEST_CASE("adaround: annealing the regulariser drives every h(V) to 0 or 1", "[recon][adaround]") {
  auto s = channel_quantizer(4, {16, 8});
  AdaRoundOptions o;
  o.lambda = 0.1;
  AdaRound r(s.wg, s.q->scale(), s.q->options().spec, o);
  torch::optim::Adam opt({r.v()}, torch::optim::AdamOptions(1e-2));
  const int64_t iters = 1000;
  auto target = s.wg.detach();
  for (int64_t t = 1; t <= iters; ++t) {
    auto rec = (r.fake_quant(s.wg, s.q->scale(), s.q->zero_point(), s.q->options().spec) - target).pow(2).sum();
    auto loss = rec;
    if (adaround_regularizer_active(t, iters, o)) loss = loss + o.lambda * r.regularizer(adaround_beta(t, iters, o));
    opt.zero_grad();
    loss.backward();
    opt.step();
  }
  auto h = r.h().detach();
  const auto undecided = ((h > 0.0) & (h < 1.0)).sum().item<int64_t>();
  INFO("h(V) strictly between 0 and 1: " << undecided << " of " << h.numel());
  CHECK(undecided == 0);
  // The regulariser itself is then 0.
  CHECK(r.regularizer(2.0).item<double>() == Approx(0.0).margin(1e-6));
}

TEST_CASE("adaround: rejects minifloat weights and bad options", "[recon][adaround]") {
  QuantSpec fp8;
  fp8.format = NumberFormat::Float;
  auto w = torch::randn({2, 1, 4});
  CHECK_THROWS_WITH(AdaRound(w, torch::ones({2, 1}), fp8, AdaRoundOptions{}),
                    Catch::Contains("AdaRound needs an integer weight format"));
  AdaRoundOptions bad;
  bad.warmup = 1.5;
  CHECK_THROWS_WITH(bad.validate("method.adaround"), Catch::Contains("method.adaround.warmup"));
}
