#include <catch2/catch.hpp>

#include "framework/config/config.h"
#include "framework/method/method.h"
#include "framework/nn/state.h"
#include "methods/adaround/adaround_method.h"
#include "methods/brecq/brecq_method.h"
#include "methods/qdrop/qdrop_method.h"
#include "tests/support/method_yaml.h"
#include "tests/support/recon_fixture.h"

using namespace ptq;

namespace {

// Tiny-run overrides shared by every method test.
const char* kTiny = "  iters: 8\n  batch_size: 8\n  forward_batch: 16\n  progress: false\n";

using test::method_from_yaml;

test::ReconFixture uncalibrated() { return test::make_recon_fixture(2, 4, 32, false); }

}  // namespace

TEST_CASE("recon methods: registered, with the papers' presets", "[methods][recon]") {
  register_builtin_methods();
  const auto names = method_registry().names();
  for (const char* n : {"adaround", "brecq", "qdrop"}) CHECK(std::find(names.begin(), names.end(), n) != names.end());

  const auto ada = methods::AdaRoundMethod::preset();
  CHECK(ada.granularity.kind == "layer");
  CHECK(ada.iters == 10000);
  CHECK(ada.adaround.lambda == 0.01);
  const auto w = methods::BrecqMethod::weight_preset();
  CHECK(w.iters == 20000);
  CHECK(w.skip == std::vector<std::string>{"stem"});
  CHECK_FALSE(w.quantize_activations);
  CHECK(w.sampling == "without_replacement");
  const auto a = methods::BrecqMethod::act_preset();
  CHECK(a.iters == 5000);
  CHECK(a.act_lr == 4e-4);
  CHECK(a.loss.p == 2.4);
  CHECK(a.input.kind == "fp");
  const auto q = methods::QdropMethod::preset();
  CHECK(q.iters == 20000);
  CHECK(q.input.keep_prob == 0.5);
  CHECK(q.act_keep_prob == 0.5);
  CHECK(q.act_lr == 4e-5);
  CHECK(q.act_lr_schedule == "cosine");
  CHECK(q.sampling == "with_replacement");
  CHECK(q.adaround.lr == 1e-3);
}

TEST_CASE("recon methods: each runs from its config and records its passes", "[methods][recon]") {
  for (const std::string name : {"adaround", "brecq", "qdrop"}) {
    DYNAMIC_SECTION(name) {
      std::string yaml = "method:\n  name: " + name + "\n" + kTiny;
      if (name == "brecq") yaml += "  act_stage: {iters: 4, batch_size: 8, progress: false}\n";
      auto m = method_from_yaml(yaml);
      auto f = uncalibrated();
      CalibrationOptions co;
      co.act_samples = 16;
      MethodContext ctx{*f.model, f.images, co, 1005};
      m->apply(ctx);
      REQUIRE(ctx.details.contains("passes"));
      CHECK(ctx.details["passes"].size() == (name == "brecq" ? 2u : 1u));
      for (const auto& q : f.model->quantizers())
        if (q->configured()) CHECK(q->state() == QuantizerState::Quantize);
      torch::NoGradGuard no_grad;
      CHECK(torch::isfinite(f.model->forward(f.images)).all().item<bool>());
    }
  }
}

TEST_CASE("recon methods: qdrop with drop_prob 1 equals a pass with quantised inputs", "[methods][qdrop]") {
  auto p1 = method_from_yaml(std::string("method:\n  name: qdrop\n  drop_prob: 1.0\n") + kTiny);
  auto quant = method_from_yaml(std::string("method:\n  name: qdrop\n  drop_prob: 1.0\n  input: {policy: quant}\n") +
                                kTiny);
  CHECK(dynamic_cast<methods::QdropMethod&>(*p1).options().input.kind == "drop");
  auto a = uncalibrated(), b = uncalibrated();
  CalibrationOptions co;
  MethodContext ca{*a.model, a.images, co, 9}, cb{*b.model, b.images, co, 9};
  p1->apply(ca);
  quant->apply(cb);
  auto sa = test::full_state(*a.model), sb = test::full_state(*b.model);
  for (const auto& [k, v] : sa) CHECK(torch::equal(v, sb.at(k)));
}

TEST_CASE("recon methods: a tiny qdrop run is bit-reproducible from config and seed", "[methods][determinism]") {
  auto m = method_from_yaml(std::string("method:\n  name: qdrop\n") + kTiny);
  std::vector<torch::Tensor> logits;
  for (int run = 0; run < 2; ++run) {
    auto f = uncalibrated();
    CalibrationOptions co;
    MethodContext ctx{*f.model, f.images, co, 1005};
    m->apply(ctx);
    torch::NoGradGuard no_grad;
    logits.push_back(f.model->forward(f.images));
  }
  CHECK(torch::equal(logits[0], logits[1]));
}

TEST_CASE("recon methods: unknown and invalid keys are reported with a hint", "[methods][errors]") {
  CHECK_THROWS_WITH(method_from_yaml("method:\n  name: qdrop\n  iter: 10\n"), Catch::Contains("method.iter"));
  CHECK_THROWS_WITH(method_from_yaml("method:\n  name: brecq\n  act_stage: {lr: 1}\n"),
                    Catch::Contains("method.act_stage.lr"));
  CHECK_THROWS_WITH(method_from_yaml("method:\n  name: adaround\n  granularity: blocks\n"),
                    Catch::Contains("method.granularity") && Catch::Contains("block"));
  CHECK_THROWS_WITH(method_from_yaml("method:\n  name: qdrop\n  drop_prob: 1.5\n"), Catch::Contains("method.drop_prob"));
  CHECK_THROWS_WITH(method_from_yaml("method:\n  name: qdrop\n  granularity: layer\n  act_init: per_group\n"),
                    Catch::Contains("act_init per_group needs block"));
}
