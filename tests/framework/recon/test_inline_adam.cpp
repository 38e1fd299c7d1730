// Inline Adam (framework/recon/adaround_fused.h): Adam on AdaRound's V folded into the next
// fused forward pass must give the same floats as the separate backward + Adam + forward.
#include <catch2/catch.hpp>

#include "framework/core/check.h"
#include "framework/recon/adaround.h"
#include "framework/recon/fused_adam.h"
#include "framework/recon/reconstructor.h"
#include "tests/support/recon_fixture.h"

using namespace ptq;

namespace {

struct Case {
  torch::Tensor xg, s, z, w;
  QuantSpec spec;
};

Case make_case() {
  torch::manual_seed(21);
  Case c;
  c.spec.bits = 3;
  c.xg = torch::randn({5, 2, 33001}) * 0.3;  // rows of more than one 32 Ki chunk
  c.s = torch::rand({5, 2}) * 0.05 + 0.05;
  c.z = torch::full({5, 2}, 3.0);
  c.w = torch::randn_like(c.xg);  // a linear "loss" on the soft weight
  return c;
}

// β per step: warm-up without the regulariser, then an annealed one.
const std::vector<double> kBetas = {0.0, 0.0, 20.0, 14.0, 8.0, 2.0};

// One iteration: `passes` forward/backward passes (gradients accumulate), then the step.
// Returns the soft weights of the last pass.
template <class Step>
torch::Tensor iterate(AdaRound& r, const Case& c, double beta, int passes, Step&& step) {
  r.set_regularizer_beta(beta);
  torch::Tensor out;
  for (int k = 0; k < passes; ++k) {
    out = r.fake_quant(c.xg, c.s, c.z, c.spec);
    auto loss = (out * c.w).sum() * (k + 1.0);
    if (beta > 0.0) loss = loss + 0.01 * r.take_regularizer(beta);
    loss.backward();
  }
  step();
  return out;
}

}  // namespace

TEST_CASE("inline adam: V and the soft weights equal backward + Adam + forward bit for bit", "[recon][adaround][adam]") {
  auto c = make_case();
  const int passes = GENERATE(1, 2);
  AdaRound separate(c.xg, c.s, c.spec, AdaRoundOptions{}), inlined(c.xg, c.s, c.spec, AdaRoundOptions{});
  inlined.use_inline_adam();
  FusedAdam adam({separate.v()}, 1e-2);
  for (size_t t = 0; t < kBetas.size(); ++t) {
    INFO("step " << t + 1 << ", " << passes << " pass(es)");
    auto a = iterate(separate, c, kBetas[t], passes, [&] { adam.step(); });
    adam.zero_grad();
    auto b = iterate(inlined, c, kBetas[t], passes, [&] { inlined.inline_adam_step(1e-2); });
    CHECK(torch::equal(a, b));
    CHECK_FALSE(inlined.v().grad().defined());  // V's gradient went to the inline Adam
    CHECK(torch::equal(separate.v(), inlined.v()));  // reading V applies the pending update
  }
  CHECK_FALSE(torch::equal(separate.v(), AdaRound(c.xg, c.s, c.spec, AdaRoundOptions{}).v()));  // V did move
}

TEST_CASE("inline adam: the update is applied once, by the next forward pass or by any read of V",
          "[recon][adaround][adam]") {
  auto c = make_case();
  AdaRound separate(c.xg, c.s, c.spec, AdaRoundOptions{}), inlined(c.xg, c.s, c.spec, AdaRoundOptions{});
  inlined.use_inline_adam();
  FusedAdam adam({separate.v()}, 1e-2);
  for (size_t t = 0; t < 3; ++t) {
    iterate(separate, c, kBetas[t + 2], 1, [&] { adam.step(); });
    adam.zero_grad();
    iterate(inlined, c, kBetas[t + 2], 1, [&] { inlined.inline_adam_step(1e-2); });
  }
  SECTION("a forward pass without gradient") {
    torch::NoGradGuard no_grad;
    auto before = separate.fake_quant(c.xg, c.s, c.z, c.spec);
    CHECK(torch::equal(inlined.fake_quant(c.xg, c.s, c.z, c.spec), before));
    CHECK(torch::equal(inlined.fake_quant(c.xg, c.s, c.z, c.spec), before));  // not applied twice
  }
  SECTION("h(V), the regulariser and the hardened decision") {
    CHECK(torch::equal(inlined.h(), separate.h()));
    auto hs = std::dynamic_pointer_cast<HardRounding>(separate.hardened());
    auto hi = std::dynamic_pointer_cast<HardRounding>(inlined.hardened());
    REQUIRE(hs);
    REQUIRE(hi);
    CHECK(torch::equal(hs->up(), hi->up()));
  }
  SECTION("a step without a backward pass since") {
    inlined.inline_adam_step(1e-2);  // applies the pending update, then has nothing to schedule
    adam.step();                     // FusedAdam skips a parameter without gradient
    CHECK(torch::equal(separate.v(), inlined.v()));
  }
}

TEST_CASE("inline adam: higher-order gradients are refused with a clear error", "[recon][adaround][adam][errors]") {
  auto c = make_case();
  AdaRound r(c.xg, c.s, c.spec, AdaRoundOptions{});
  r.use_inline_adam();
  auto out = r.fake_quant(c.xg, c.s, c.z, c.spec);
  CHECK_THROWS_WITH(torch::autograd::grad({(out * c.w).sum()}, {r.v()}, {}, true, true),
                    Catch::Contains("higher-order"));
}

TEST_CASE("inline adam: a QDrop reconstruction is bit-identical with and without it", "[recon][adam][determinism]") {
  auto o = test::tiny_recon_options(20);
  o.learn_act_scale = true;
  o.act_lr = 1e-3;
  o.input.kind = "drop";
  o.input.keep_prob = 0.5;
  o.act_keep_prob = 0.5;
  auto separate = o;
  separate.inline_adam = false;
  auto a = test::make_recon_fixture(), b = test::make_recon_fixture();
  auto ra = Reconstructor(*a.model, o).run(a.images, 7);
  auto rb = Reconstructor(*b.model, separate).run(b.images, 7);
  REQUIRE(ra.groups.size() == rb.groups.size());
  for (size_t i = 0; i < ra.groups.size(); ++i) {
    INFO(ra.groups[i].name);
    CHECK(ra.groups[i].first_loss == rb.groups[i].first_loss);
    CHECK(ra.groups[i].final_loss == rb.groups[i].final_loss);
    CHECK(ra.groups[i].undecided == rb.groups[i].undecided);
  }
  torch::NoGradGuard no_grad;
  CHECK(torch::equal(a.model->forward(a.images), b.model->forward(b.images)));
}
