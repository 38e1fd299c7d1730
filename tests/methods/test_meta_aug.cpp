// MetaAug (methods/meta_aug): the outer objective's terms, the transformation network, the
// differentiable inner step (gradients checked against finite differences), the augmented
// cache of its input policy, and the method from its config.
#include <catch2/catch.hpp>

#include "framework/method/method.h"
#include "framework/recon/learned_params.h"
#include "framework/recon/network_tail.h"
#include "methods/meta_aug/meta_aug_input_policy.h"
#include "methods/meta_aug/meta_aug_method.h"
#include "methods/meta_aug/meta_objective.h"
#include "methods/meta_aug/meta_stage.h"
#include "methods/meta_aug/transform_net.h"
#include "tests/support/group_setup.h"
#include "tests/support/method_run.h"
#include "tests/support/method_yaml.h"
#include "tests/support/recon_fixture.h"

using namespace ptq;
using namespace ptq::methods;

namespace {

using test::GroupSetup;
using test::method_from_yaml;

const char* kTiny =
    "  iters: 6\n  batch_size: 8\n  forward_batch: 16\n  progress: false\n"
    "  meta: {iters: 3, batch: 8, val_batch: 8}\n"
    "  transform: {base_channels: 2, depth: 1, warmup: {iters: 3, batch: 8}}\n";

TransformNet tiny_net(int64_t depth = 1) {
  TransformNetOptions o;
  o.channels = 1;
  o.base_channels = 2;
  o.depth = depth;
  return TransformNet(o);
}

}  // namespace

TEST_CASE("meta_aug: PKT is zero for the same similarity structure and positive otherwise", "[methods][meta_aug]") {
  torch::manual_seed(1);
  auto a = torch::randn({6, 5}), b = torch::randn({6, 5});
  CHECK(pkt_loss(a, a).item<double>() == Approx(0.0).margin(1e-9));
  CHECK(pkt_loss(a * 3.0, a).item<double>() == Approx(0.0).margin(1e-7));  // cosine similarities: scale-free
  CHECK(pkt_loss(a, b).item<double>() > 1e-4);
  // By hand for two 2-D vectors: similarities (1+cos)/2, rows normalised, mean of Q·log(Q/P).
  auto p2 = torch::tensor({{1.0, 0.0}, {0.0, 1.0}}), q2 = torch::tensor({{1.0, 0.0}, {1.0, 1.0}});
  const double c = (1.0 + 1.0 / std::sqrt(2.0)) / 2.0;  // target's off-diagonal similarity
  const double qd = 1.0 / (1.0 + c), qo = c / (1.0 + c), pd = 1.0 / 1.5, po = 0.5 / 1.5;
  const double expect = (2 * qd * std::log(qd / pd) + 2 * qo * std::log(qo / po)) / 4.0;
  CHECK(pkt_loss(p2, q2).item<double>() == Approx(expect).epsilon(1e-4));
}

TEST_CASE("meta_aug: margin and mixup", "[methods][meta_aug]") {
  auto x = torch::zeros({2, 3});
  CHECK(margin_loss(x + 0.1, x, 0.1).item<double>() == Approx(0.1 - 0.01).epsilon(1e-6));
  CHECK(margin_loss(x + 1.0, x, 0.1).item<double>() == 0.0);
  torch::manual_seed(3);
  auto eye = torch::eye(8);
  for (int k = 0; k < 5; ++k) {
    auto m = mixup(eye, 4.0);
    CHECK(torch::allclose(m.sum(1), torch::ones({8})));                       // convex combinations of rows
    CHECK((std::get<0>(m.max(1)) >= 0.5 - 1e-6).all().item<bool>());         // λ = max(l, 1 − l)
    CHECK(((m > 1e-7).sum(1) <= 2).all().item<bool>());                      // of a row and one other row
  }
}

TEST_CASE("meta_aug: the U-Net keeps the image shape at any depth and warms up towards the identity",
          "[methods][meta_aug]") {
  torch::manual_seed(5);
  for (int64_t depth : {0, 1, 2, 3}) {
    auto net = tiny_net(depth);
    auto x = torch::randn({2, 1, 28, 28});
    CHECK(net->forward(x).sizes() == x.sizes());
  }
  auto net = tiny_net(2);
  auto images = torch::randn({32, 1, 28, 28});
  const double before = (transform_images(net, images, 16) - images).pow(2).mean().item<double>();
  TransformWarmupOptions w;
  w.iters = 60;
  w.lr = 1e-2;
  w.batch = 16;
  warm_up_identity(net, images, w);
  const double after = (transform_images(net, images, 16) - images).pow(2).mean().item<double>();
  CHECK(after < 0.5 * before);
  CHECK_THROWS_WITH(net->forward(torch::randn({2, 3, 28, 28})), Catch::Contains("[N, 1, H, W]"));
  images[3][0][5][5] = NAN;
  CHECK_THROWS_WITH(warm_up_identity(net, images, w), Catch::Contains("warm-up diverged") &&
                                                          Catch::Contains("transform.warmup.lr"));
}

TEST_CASE("meta_aug: a non-finite outer loss stops the meta stage naming the group and the step",
          "[methods][meta_aug][errors]") {
  GroupSetup s(1);
  auto& model = *s.f.model;
  auto images = s.f.images.clone();
  images[0][0][0][0] = NAN;
  torch::Tensor logits;
  {
    torch::NoGradGuard no_grad;
    QuantizerStateGuard fp(model.quantizers(), QuantizerState::Off);
    logits = model.forward(s.f.images);
  }
  MetaOptions o;
  o.iters = 2;
  o.batch = o.val_batch = 16;
  o.progress = false;
  torch::manual_seed(2);
  MetaTrainer trainer(tiny_net(1), o);
  const auto r = test::tiny_recon_options();
  CHECK_THROWS_WITH(run_meta_stage(model, s.groups[1], r, trainer, images, logits, o),
                    Catch::Contains("meta stage of group 'layer1.0' diverged at step 1") &&
                        Catch::Contains("meta.lr"));
}

// Derivatives with respect to T's parameters, in double precision on a case where they are
// smooth: weights-only quantisation (activation quantisers off), the second block's V and weight
// scales learned, one inner step, the same random draws at every evaluation. Checked against
// central finite differences: L_val itself (all terms), and a random linear functional of the
// inner step θ̄(T) − θ (well conditioned, unlike L_val's KL term whose dependence on T through
// θ̄ is many orders below its value). With β = γ = 0, L_val depends on T through θ̄ alone.
TEST_CASE("meta_aug: the inner step is differentiable: the gradient reaches T and matches finite differences",
          "[methods][meta_aug]") {
  const std::string inner = GENERATE(std::string("sgd"), std::string("adam"));
  const bool step_only = GENERATE(true, false);
  auto f = test::make_recon_fixture(2, 4, 16, /*calibrate_acts=*/false);
  auto& model = *f.model;
  model.to(torch::kDouble);
  GranularityOptions go;
  go.kind = "block";
  const auto groups = make_groups(model, go);
  const auto& g = groups.at(1);
  ReconOptions r = test::tiny_recon_options();
  r.quantize_activations = false;
  r.learn_weight_scale = true;
  r.adaround.lr = 0.05;
  r.weight_scale_lr = 1e-3;
  GroupLearnedParams params(model, g, r, /*inline_adam=*/false);
  torch::manual_seed(11);
  auto net = tiny_net(1);
  net->to(torch::kDouble);
  MetaOptions o;
  o.inner_optimizer = inner;
  o.inner_eps = 1e-2;  // a well-conditioned first Adam step for finite differences
  o.tau = 100.0;       // keep the margin's ReLU on its linear side
  auto images = f.images.to(torch::kDouble);
  auto x = images.narrow(0, 0, 8), xv = images.narrow(0, 8, 8);
  torch::Tensor logits;
  {
    torch::NoGradGuard no_grad;
    QuantizerStateGuard fp(model.quantizers(), QuantizerState::Off);
    logits = model.forward(xv);
  }
  MetaProblem p{model, g, r, params, net, o};
  torch::manual_seed(5);
  std::vector<torch::Tensor> probe;
  for (const auto& t : params.v()) probe.push_back(torch::randn_like(t));
  for (const auto& t : params.weight_scales()) probe.push_back(torch::randn_like(t));
  auto value = [&] {
    torch::manual_seed(99);  // the same mixups
    auto terms = meta_objective(p, x, xv, logits, 1, 10);
    if (!step_only) return terms.total;
    torch::Tensor sum = torch::zeros({}, torch::kDouble);
    std::vector<torch::Tensor> theta = params.v();
    for (const auto& t : params.weight_scales()) theta.push_back(t);
    REQUIRE(terms.theta_bar.size() == theta.size());
    for (size_t i = 0; i < theta.size(); ++i) sum = sum + ((terms.theta_bar[i] - theta[i]) * probe[i]).sum();
    return sum;
  };
  auto w = net->named_parameters()["inc.0.weight"];
  REQUIRE(w.defined());
  if (!step_only) {  // the KL term alone reaches T, through θ̄
    o.beta = o.gamma = 0.0;
    CHECK(torch::autograd::grad({value()}, {w})[0].abs().max().item<double>() > 0.0);
    o.beta = 0.5, o.gamma = 30000.0;
  }
  auto grad = torch::autograd::grad({value()}, {w})[0];
  const double scale = grad.abs().max().item<double>();
  CHECK(scale > 0.0);
  // ReLU and clamp kinks inside the block make θ̄ piecewise smooth with dense kinks: steps of
  // 1e-5 already cross some, so the step is small and the tolerance allows its round-off (~1e-3).
  const double h = 1e-7;
  for (int64_t k : {0, 3, 7}) {
    auto shifted = [&](double d) {
      {
        torch::NoGradGuard no_grad;
        w.view(-1)[k] += d;
      }
      const double v = value().item<double>();
      torch::NoGradGuard no_grad;
      w.view(-1)[k] -= d;
      return v;
    };
    const double fd = (shifted(h) - shifted(-h)) / (2 * h);
    const double ad = grad.view(-1)[k].item<double>();
    INFO(inner << (step_only ? " inner step" : " all terms") << ", element " << k << ": autograd " << ad
               << ", finite differences " << fd);
    CHECK(ad == Approx(fd).epsilon(1e-2).margin(1e-3 * scale));
  }
}

TEST_CASE("meta_aug: the input policy reconstructs on original plus transformed rows and restores the cache",
          "[methods][meta_aug]") {
  GroupSetup s(1);
  auto& model = *s.f.model;
  const auto& g = s.groups[1];
  const auto fp_out = s.cache.slice("fp_out", 0, 16).clone();
  auto state = std::make_shared<MetaAugState>();
  state->images = s.f.images;
  state->recon = test::tiny_recon_options();
  state->meta.enabled = false;
  state->meta.progress = false;
  {
    torch::NoGradGuard no_grad;
    QuantizerStateGuard fp(model.quantizers(), QuantizerState::Off);
    state->fp_logits = model.forward(s.f.images);
  }
  torch::manual_seed(2);
  state->trainer = std::make_unique<MetaTrainer>(tiny_net(1), state->meta);
  MetaAugInputPolicy policy(state, 0.5);
  policy.prepare(*s.ctx);
  REQUIRE(s.ctx->rows == 32);
  for (const char* name : {"fp_in", "q_in", "fp_out"}) CHECK(s.cache.rows(name) == 32);
  CHECK(torch::equal(s.cache.slice("fp_out", 0, 16), fp_out));  // the originals first
  {
    torch::NoGradGuard no_grad;
    QuantizerStateGuard fp(model.quantizers(), QuantizerState::Off);
    auto xt = transform_images(state->trainer->net, s.f.images, 16);
    auto expect = model.forward_units(model.forward_units(xt, 0, g.unit_begin), g.unit_begin, g.unit_end);
    CHECK(torch::allclose(s.cache.slice("fp_out", 16, 16), expect, 1e-5, 1e-6));  // then the group on T(x)
  }
  auto idx = torch::arange(20, 28, torch::kLong);
  CHECK(policy.batch(*s.ctx, idx).size(0) == 8);
  policy.finish(*s.ctx);
  CHECK(s.ctx->rows == 16);
  for (const char* name : {"fp_in", "q_in", "fp_out"}) CHECK(s.cache.rows(name) == 16);
  CHECK(torch::equal(s.cache.slice("fp_out", 0, 16), fp_out));
  CHECK(state->reports.size() == 1);
}

TEST_CASE("meta_aug: presets of both protocols and config errors", "[methods][meta_aug][errors]") {
  const auto m = MetaAugMethod::recon_preset("meta_aug");
  CHECK(m.adaround.lambda == 1.0);
  CHECK(m.batch_size == 64);
  CHECK(m.sampling == "epochs");
  CHECK(m.learn_weight_scale);
  CHECK(m.weight_scale_lr == 1e-4);
  CHECK(m.act_init == "per_group");
  CHECK(m.input.keep_prob == 0.5);
  CHECK(m.act_keep_prob == 0.5);
  const auto q = MetaAugMethod::recon_preset("qdrop");
  CHECK(q.adaround.lambda == 0.01);
  CHECK(q.batch_size == 32);
  CHECK_FALSE(q.learn_weight_scale);
  const auto mo = MetaOptions{};
  CHECK(mo.alpha == 5.0);
  CHECK(mo.beta == 0.5);
  CHECK(mo.gamma == 30000.0);
  CHECK(mo.tau == 0.1);
  CHECK(mo.lr == 5e-6);
  auto method = method_from_yaml("method:\n  name: meta_aug\n  protocol: qdrop\n  meta: {gamma: 10}\n");
  const auto& o = dynamic_cast<MetaAugMethod&>(*method).options();
  CHECK(o.protocol == "qdrop");
  CHECK(o.meta.gamma == 10.0);
  CHECK(o.recon.sampling == "with_replacement");
  CHECK_THROWS_WITH(method_from_yaml("method:\n  name: meta_aug\n  meta: {gama: 1}\n"), Catch::Contains("method.meta.gama"));
  CHECK_THROWS_WITH(method_from_yaml("method:\n  name: meta_aug\n  protocol: brecq\n"),
                    Catch::Contains("method.protocol"));
  CHECK_THROWS_WITH(method_from_yaml("method:\n  name: meta_aug\n  input: {policy: fp}\n"),
                    Catch::Contains("method.input"));
  CHECK_THROWS_WITH(method_from_yaml("method:\n  name: meta_aug\n  meta: {inner_optimizer: rmsprop}\n"),
                    Catch::Contains("method.meta.inner_optimizer"));
}

TEST_CASE("meta_aug: runs from its config, reports each group, and is bit-reproducible", "[methods][meta_aug][determinism]") {
  for (const std::string protocol : {"meta_aug", "qdrop"}) {
    DYNAMIC_SECTION(protocol) {
      auto m = method_from_yaml("method:\n  name: meta_aug\n  protocol: " + protocol + "\n" + kTiny);
      std::vector<torch::Tensor> logits;
      for (int run = 0; run < 2; ++run) {
        auto a = test::apply_to_fresh_fixture(*m, 16, 1029);
        REQUIRE(a.details.contains("meta_aug"));
        const auto& groups = a.details["meta_aug"]["groups"];
        REQUIRE(groups.size() == a.fixture.model->units().size());
        CHECK(groups.front().value("skipped", false));  // the stem: no meta stage
        CHECK(groups[1]["steps"].get<int64_t>() == 4);   // 3 steps rounded up to whole epochs of 2 batches
        CHECK(groups[1]["rows"].get<int64_t>() == 32);  // originals + transforms
        for (const auto& q : a.fixture.model->quantizers())
          if (q->configured()) CHECK(q->state() == QuantizerState::Quantize);
        logits.push_back(a.logits);
        CHECK(torch::isfinite(a.logits).all().item<bool>());
      }
      CHECK(torch::equal(logits[0], logits[1]));
    }
  }
}
