// PD-Quant (methods/pd_quant): the prediction-difference loss and the two-half block input
// as pieces of the reconstruction engine, and the method from its config.
#include <catch2/catch.hpp>

#include "framework/config/config.h"
#include "framework/method/method.h"
#include "framework/recon/granularity.h"
#include "framework/recon/loss.h"
#include "framework/recon/network_tail.h"
#include "framework/recon/quantizer_states.h"
#include "methods/pd_quant/distribution_correction.h"
#include "methods/pd_quant/pd_input_policy.h"
#include "methods/pd_quant/pd_quant_method.h"
#include "methods/pd_quant/prediction_difference_loss.h"
#include "tests/support/method_run.h"
#include "tests/support/method_yaml.h"
#include "tests/support/group_setup.h"
#include "tests/support/recon_fixture.h"

using namespace ptq;
using methods::PredictionDifferenceLoss;

namespace {

using test::method_from_yaml;

const char* kTiny = "  iters: 6\n  batch_size: 8\n  forward_batch: 16\n  progress: false\n";

using test::GroupSetup;

}  // namespace

TEST_CASE("pd_quant: the prediction difference is the batch-mean KL of tempered softmaxes", "[methods][pd_quant]") {
  torch::manual_seed(3);
  auto a = torch::randn({5, 10}), b = torch::randn({5, 10});
  auto p = torch::softmax(a / 4.0, 1);
  auto expect = (p * (torch::log(p) - torch::log_softmax(b / 4.0, 1))).sum() / 5.0;
  CHECK(prediction_kl(a, b, 4.0).item<double>() == Approx(expect.item<double>()).epsilon(1e-5));
  CHECK(std::abs(prediction_kl(a, a, 4.0).item<double>()) < 1e-6);
  CHECK(prediction_kl(a, b, 1.0).item<double>() > prediction_kl(a, b, 4.0).item<double>());
}

TEST_CASE("pd_quant: the rest of the network runs float, without weight gradients, restoring quantiser states",
          "[methods][pd_quant]") {
  GroupSetup s(1);
  auto& model = *s.f.model;
  const auto& g = s.groups[1];
  auto x = s.cache.slice("fp_out", 0, 8).clone().requires_grad_(true);
  for (size_t u = g.unit_end; u < model.units().size(); ++u)
    for (auto& p : model.units()[u]->parameters()) p.set_requires_grad(true);  // as in a model fresh from the zoo
  auto z = tail_logits(model, g, x);
  {
    torch::NoGradGuard no_grad;
    QuantizerStateGuard off(model.quantizers(), QuantizerState::Off);
    CHECK(torch::allclose(z, model.forward(s.f.images.narrow(0, 0, 8)), 1e-5, 1e-5));  // the float network
  }
  for (const auto& q : model.quantizers())
    if (q->configured()) CHECK(q->state() == QuantizerState::Quantize);  // restored
  z.sum().backward();
  CHECK(x.grad().defined());
  for (size_t u = g.unit_end; u < model.units().size(); ++u)
    for (const auto& p : model.units()[u]->parameters()) {
      CHECK_FALSE(p.grad().defined());
      CHECK(p.requires_grad());  // restored
    }
}

TEST_CASE("pd_quant: the PD loss is zero when the quantised block equals the float block", "[methods][pd_quant]") {
  GroupSetup s(1);
  methods::PdLossOptions o;
  PredictionDifferenceLoss loss(o);
  loss.prepare(*s.ctx);
  auto idx = torch::arange(8, torch::kLong);
  auto target = s.cache.gather("fp_out", idx);
  LossTerms terms;
  SECTION("float block, both halves") {
    auto out = torch::cat({target, target}, 0);
    auto l = loss.compute(LossBatch{out, target, idx, *s.ctx}, terms);
    CHECK(std::abs(terms.at("pd")) < 1e-6);
    CHECK(terms.at("rec") == 0.0);
    CHECK(std::abs(l.item<double>()) < 1e-6);
  }
  SECTION("a perturbed quantised half") {
    auto out = torch::cat({target, target + 3.0 * torch::randn_like(target)}, 0);
    loss.compute(LossBatch{out, target, idx, *s.ctx}, terms);
    CHECK(terms.at("rec") == 0.0);  // the mixed half is exact
    CHECK(terms.at("pd") > 1e-4);
  }
  SECTION("layer granularity is refused") {
    GranularityOptions go;
    go.kind = "layer";
    auto layers = make_groups(*s.f.model, go);
    GroupContext lc{*s.f.model, layers.at(1), s.cache, 16, 16, s.ctx->forward};
    CHECK_THROWS_WITH(loss.prepare(lc), Catch::Contains("block (or coarser) granularity"));
  }
}

TEST_CASE("pd_quant: the block input is [QDrop mix; quantised input]", "[methods][pd_quant]") {
  GroupSetup s(1);
  s.cache.write("q_in", 0, s.cache.slice("fp_in", 0, 16) + 1.0);  // quantised input = float + 1
  methods::DcOptions no_dc;
  no_dc.enabled = false;
  methods::PdInputPolicy policy(0.5, no_dc);
  policy.prepare(*s.ctx);
  auto idx = torch::tensor({3, 1, 7}, torch::kLong);
  torch::manual_seed(1);
  auto x = policy.batch(*s.ctx, idx);
  auto fp = s.cache.gather("fp_in", idx), q = s.cache.gather("q_in", idx);
  REQUIRE(x.size(0) == 6);
  CHECK(torch::equal(x.narrow(0, 3, 3), q));
  auto mixed = x.narrow(0, 0, 3);
  const auto from_q = (mixed == q).to(torch::kDouble).mean().item<double>();
  CHECK(torch::equal(mixed, torch::where(mixed == q, q, fp)));  // every element from one of the two
  CHECK(from_q == Approx(0.5).margin(0.1));
}

TEST_CASE("pd_quant: registered with the official code's presets; runs from its config, reproducibly",
          "[methods][pd_quant]") {
  register_builtin_methods();
  const auto p = methods::PdQuantMethod::preset();
  CHECK(p.recon.adaround.lr == 3e-3);
  CHECK(p.recon.adaround.lambda == 0.01);
  CHECK(p.recon.input.keep_prob == 0.5);
  CHECK(p.recon.act_keep_prob == 0.5);
  CHECK(p.recon.act_lr == 4e-5);
  CHECK(p.recon.iters == 20000);
  CHECK(p.pd.temperature == 4.0);
  CHECK(p.pd.lambda_r == 0.1);
  CHECK(p.recon.act_init == "per_group");  // QDrop master quantisers
  CHECK(p.dc.enabled);
  CHECK(p.dc.iters == 500);
  CHECK(p.dc.lr == 1e-3);
  CHECK(p.dc.lambda_c == 0.02);
  CHECK(p.dc.patience == 100);
  auto m = method_from_yaml(std::string("method:\n  name: pd_quant\n  pd: {temperature: 1.0}\n  dc: {iters: 5}\n") +
                            kTiny);
  CHECK(dynamic_cast<methods::PdQuantMethod&>(*m).options().pd.temperature == 1.0);
  std::vector<torch::Tensor> logits;
  for (int run = 0; run < 2; ++run) {
    auto a = test::apply_to_fresh_fixture(*m, 32, 1005);
    REQUIRE(a.details.contains("passes"));
    logits.push_back(a.logits);
    CHECK(torch::isfinite(a.logits).all().item<bool>());
  }
  CHECK(torch::equal(logits[0], logits[1]));
}

TEST_CASE("pd_quant: settings it would ignore are reported", "[methods][pd_quant][errors]") {
  register_builtin_methods();
  CHECK_THROWS_WITH(method_from_yaml("method:\n  name: pd_quant\n  input: {policy: quant}\n"),
                    Catch::Contains("method.input") && Catch::Contains("drop_prob"));
  CHECK_THROWS_WITH(method_from_yaml("method:\n  name: pd_quant\n  loss: {kind: fisher}\n"), Catch::Contains("method.loss"));
  CHECK_THROWS_WITH(method_from_yaml("method:\n  name: pd_quant\n  pd: {temperature: 0}\n"),
                    Catch::Contains("method.pd.temperature"));
  CHECK_THROWS_WITH(method_from_yaml("method:\n  name: pd_quant\n  pd: {lambda: 1}\n"), Catch::Contains("method.pd.lambda"));
}

TEST_CASE("pd_quant: a folded BN's input is recovered from the layer's pre-activation", "[methods][pd_quant][dc]") {
  torch::manual_seed(4);
  torch::nn::BatchNorm2d bn(6);
  bn->eval();
  {
    torch::NoGradGuard no_grad;
    bn->weight.uniform_(0.5, 2.0);
    bn->bias.normal_();
    bn->running_mean.normal_();
    bn->running_var.uniform_(0.2, 3.0);
  }
  auto z = torch::randn({4, 6, 5, 5});
  torch::NoGradGuard no_grad;
  CHECK(torch::allclose(methods::bn_input_from_folded(bn, bn(z)), z, 1e-4, 1e-5));
}

TEST_CASE("pd_quant: distribution correction reduces the BN-statistics distance it optimises",
          "[methods][pd_quant][dc]") {
  GroupSetup s(1);
  const auto& g = s.groups[1];
  REQUIRE(methods::group_has_bn(*s.f.model, g));
  auto x = s.cache.slice("fp_in", 0, 8).clone();
  methods::DcOptions o;
  o.iters = 60;
  o.lr = 1e-2;
  const double before = methods::bn_statistics_loss(*s.f.model, g, x).item<double>();  // x̂ = x: no proximity term
  auto objective = [&](const torch::Tensor& xh) {
    return methods::bn_statistics_loss(*s.f.model, g, xh).item<double>() +
           lp_reconstruction_loss(xh, x, 2.0).item<double>() / o.lambda_c;
  };
  auto xh = methods::correct_distribution(*s.f.model, g, x, o);  // the preset λ_c = 0.02: x̂ stays close
  INFO("L_DC " << before << " -> " << objective(xh));
  CHECK(objective(xh) < 0.99 * before);
  CHECK_FALSE(torch::equal(xh, x));
  o.lambda_c = 100.0;  // a weak proximity term: the statistics themselves move
  auto loose = methods::correct_distribution(*s.f.model, g, x, o);
  const double stats = methods::bn_statistics_loss(*s.f.model, g, loose).item<double>();
  INFO("statistics " << before << " -> " << stats);
  CHECK(stats < 0.7 * before);
  CHECK((xh - x).abs().mean().item<double>() < (loose - x).abs().mean().item<double>());
  for (const auto& p : s.f.model->parameters()) CHECK_FALSE(p.grad().defined());  // weights are constants
  // No BN in the group (the classifier): the input is kept.
  const auto& head = s.groups.back();
  REQUIRE_FALSE(methods::group_has_bn(*s.f.model, head));
  auto hx = s.f.model->forward_units(s.f.images.narrow(0, 0, 4), 0, head.unit_begin).detach();
  CHECK(torch::equal(methods::correct_distribution(*s.f.model, head, hx, o), hx));
}

TEST_CASE("pd_quant: with distribution correction the float input and target change, the quantised input does not",
          "[methods][pd_quant][dc]") {
  GroupSetup s(0);  // the stem: "fp_in" and "q_in" are the same images
  s.cache.release("q_in");
  s.cache.alias("q_in", "fp_in");
  auto fp_in = s.cache.slice("fp_in", 0, 16).clone(), fp_out = s.cache.slice("fp_out", 0, 16).clone();
  methods::DcOptions o;
  o.iters = 20;
  o.lr = 1e-2;
  methods::PdInputPolicy policy(0.5, o);
  policy.prepare(*s.ctx);
  CHECK(torch::equal(s.cache.slice("q_in", 0, 16), fp_in));
  CHECK_FALSE(torch::equal(s.cache.slice("fp_in", 0, 16), fp_in));
  CHECK_FALSE(torch::equal(s.cache.slice("fp_out", 0, 16), fp_out));
  torch::NoGradGuard no_grad;
  QuantizerStateGuard off(s.f.model->quantizers(), QuantizerState::Off);
  const auto& g = s.groups[0];
  CHECK(torch::allclose(s.cache.slice("fp_out", 0, 16),
                        s.f.model->forward_units(s.cache.slice("fp_in", 0, 16), g.unit_begin, g.unit_end)));
}
