// GPTQ: the solver against round-to-nearest on one linear layer, its exact reduction to RTN
// when the Hessian is diagonal, grid membership of the result (per-channel, groups,
// act-order), and the method on a decoder and on a CNN.
#include <catch2/catch.hpp>

#include "framework/nn/calibration.h"
#include "framework/nn/llama.h"
#include "framework/nn/quant_setup.h"
#include "framework/quant/fake_quant.h"
#include "methods/gptq/gptq_solver.h"
#include "tests/support/llama_fixture.h"
#include "tests/support/method_yaml.h"
#include "tests/support/recon_fixture.h"

using namespace ptq;
using methods::GptqOptions;
using methods::HessianAccumulator;

namespace {

QuantizerOptions weight_options(int bits, Granularity g, int64_t group = 128) {
  QuantizerOptions o;
  o.spec.bits = bits;
  o.spec.granularity = g;
  o.spec.axis = g == Granularity::Group ? 1 : 0;
  o.spec.group_size = group;
  o.observer.kind = "minmax";
  return o;
}

// Correlated inputs: a few latent factors mixed into K features, plus a little noise.
torch::Tensor correlated_inputs(int64_t n, int64_t k) {
  auto z = torch::randn({n, 4});
  auto mix = torch::randn({4, k});
  return z.mm(mix) + 0.1 * torch::randn({n, k});
}

double output_error(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& q) {
  return (x.mm(w.t()) - x.mm(q.t())).pow(2).sum().item<double>();
}

torch::Tensor rtn(const torch::Tensor& w, const QuantizerOptions& o) {
  Quantizer q(o);
  q->calibrate(w);
  torch::NoGradGuard g;
  return q->forward(w);
}

struct Solved {
  torch::Tensor q;
  Quantizer quantizer;
};

Solved solve(const torch::Tensor& w, const torch::Tensor& x, const QuantizerOptions& o, GptqOptions go = {}) {
  HessianAccumulator h(x.size(1));
  for (int64_t b = 0; b < x.size(0); b += 64) h.add(x.narrow(0, b, std::min<int64_t>(64, x.size(0) - b)));
  Quantizer q(o);
  auto r = methods::gptq_quantize(w, h.hessian(), *q, w.sizes(), go, "test");
  return {r.weight, q};
}

}  // namespace

TEST_CASE("gptq: the Hessian is GPTQ's running average of 2 x xᵀ", "[methods][gptq]") {
  torch::manual_seed(1);
  const auto x = torch::randn({50, 6});
  HessianAccumulator h(6);
  h.add(x.narrow(0, 0, 20));
  h.add(x.narrow(0, 20, 30));
  const auto expected = 2.0 / 50.0 * x.to(torch::kDouble).t().mm(x.to(torch::kDouble));
  CHECK(torch::allclose(h.hessian(), expected, 1e-10, 1e-12));
  CHECK(h.samples() == 50);
}

TEST_CASE("gptq: lower layer-output error than round-to-nearest on correlated inputs", "[methods][gptq]") {
  torch::manual_seed(2);
  const auto x = correlated_inputs(512, 64);
  const auto w = torch::randn({32, 64}) * 0.1;
  for (int bits : {2, 3, 4}) {
    DYNAMIC_SECTION("W" << bits) {
      const auto o = weight_options(bits, Granularity::Channel);
      const double e_rtn = output_error(x, w, rtn(w, o));
      const double e_gptq = output_error(x, w, solve(w, x, o).q);
      INFO("RTN " << e_rtn << "  GPTQ " << e_gptq);
      CHECK(e_gptq < 0.5 * e_rtn);
    }
  }
}

TEST_CASE("gptq: a diagonal Hessian leaves nothing to compensate, so GPTQ is exactly RTN", "[methods][gptq]") {
  torch::manual_seed(3);
  const auto w = torch::randn({8, 16});
  const auto o = weight_options(3, Granularity::Channel);
  Quantizer q(o);
  const auto h = torch::diag(torch::rand({16}, torch::kDouble) + 0.5);
  auto r = methods::gptq_quantize(w, h, *q, w.sizes(), {}, "test");
  CHECK(torch::equal(r.weight, rtn(w, o)));
}

TEST_CASE("gptq: results lie on the quantiser's grid (channel, groups, act-order)", "[methods][gptq]") {
  torch::manual_seed(4);
  const auto x = correlated_inputs(256, 40);
  const auto w = torch::randn({12, 40});
  struct Case {
    const char* name;
    QuantizerOptions o;
    GptqOptions go;
  };
  GptqOptions act_order;
  act_order.act_order = true;
  GptqOptions small_blocks;
  small_blocks.block_size = 7;
  for (const auto& c : {Case{"channel", weight_options(3, Granularity::Channel), {}},
                        Case{"group 16 (partial last group)", weight_options(3, Granularity::Group, 16), {}},
                        Case{"group 16, blocks of 7", weight_options(3, Granularity::Group, 16), small_blocks},
                        Case{"group 16, act-order", weight_options(3, Granularity::Group, 16), act_order},
                        Case{"tensor", weight_options(4, Granularity::Tensor), {}}}) {
    DYNAMIC_SECTION(c.name) {
      auto s = solve(w, x, c.o, c.go);
      CHECK(s.quantizer->state() == QuantizerState::Quantize);
      torch::NoGradGuard g;
      CHECK(torch::equal(s.quantizer->forward(s.q), s.q));  // re-quantising changes nothing
      CHECK(output_error(x, w, s.q) < output_error(x, w, rtn(w, c.o)));
    }
  }
}

TEST_CASE("gptq: dead input columns are zeroed and a non-finite Hessian is refused", "[methods][gptq]") {
  torch::manual_seed(5);
  auto x = correlated_inputs(128, 10);
  x.select(1, 3).zero_();
  const auto w = torch::randn({4, 10});
  Quantizer q(weight_options(4, Granularity::Channel));
  HessianAccumulator h(10);
  h.add(x);
  auto r = methods::gptq_quantize(w, h.hessian(), *q, w.sizes(), {}, "layer.x");
  CHECK(r.dead_columns == 1);
  auto bad = h.hessian().clone();
  bad[0][0] = std::numeric_limits<double>::quiet_NaN();
  Quantizer q2(weight_options(4, Granularity::Channel));
  CHECK_THROWS_WITH(methods::gptq_quantize(w, bad, *q2, w.sizes(), {}, "layer.x"),
                    Catch::Contains("layer 'layer.x'") && Catch::Contains("NaN"));
}

TEST_CASE("gptq method: quantises a decoder's linears unit by unit, deterministically", "[methods][gptq]") {
  auto run = [] {
    torch::manual_seed(6);
    auto model = create_llama(test::tiny_llama(50, 32, 48, 2, 4, 2));
    model->eval();
    const auto ids = torch::randint(0, 50, {8, 12}).to(torch::kFloat);
    QuantSetup setup;
    setup.weight = weight_options(3, Granularity::Group, 16);
    setup.quantize_activations = false;
    setup.quantize_last_layer = false;
    apply_quant_setup(*model, setup);
    auto m = test::method_from_yaml("method:\n  name: gptq\n  batch_size: 3\n");
    CalibrationOptions co;
    MethodContext ctx{*model, ids, co, 1};
    m->apply(ctx);
    CHECK(ctx.details["layers"].size() == 14u);  // 7 linears × 2 layers; lm_head stays float
    for (const auto& e : model->layers()) {
      if (!e.layer->weight_quantizer->configured()) continue;
      torch::NoGradGuard g;
      CHECK(torch::equal(e.layer->weight_quantizer->forward(e.layer->weight), e.layer->weight));
    }
    torch::NoGradGuard g;
    return model->forward(ids);
  };
  const auto a = run(), b = run();
  CHECK(torch::isfinite(a).all().item<bool>());
  CHECK(torch::equal(a, b));
}

TEST_CASE("gptq method: convolutions via im2col beat round-to-nearest on the network output", "[methods][gptq]") {
  auto fixture = test::make_recon_fixture(3, 8, 64, false);
  auto& model = *fixture.model;
  torch::NoGradGuard g;
  for (auto& q : model.quantizers()) q->set_state(QuantizerState::Off);
  const auto fp = model.forward(fixture.images);
  for (auto& e : model.layers()) e.layer->weight_quantizer->set_state(QuantizerState::Quantize);
  const double e_rtn = (model.forward(fixture.images) - fp).pow(2).sum().item<double>();
  for (auto& e : model.layers()) e.layer->weight_quantizer->set_state(QuantizerState::Off);
  auto m = test::method_from_yaml("method:\n  name: gptq\n");
  CalibrationOptions co;
  MethodContext ctx{model, fixture.images, co, 1};
  m->apply(ctx);
  // Activations off so the comparison is about weights only.
  for (const auto& e : model.layers()) {
    e.layer->output_quantizer->set_state(QuantizerState::Off);
    e.layer->input_quantizer->set_state(QuantizerState::Off);
  }
  for (const auto& u : model.units()) {
    u->input_quantizer->set_state(QuantizerState::Off);
    u->output_quantizer->set_state(QuantizerState::Off);
  }
  const double e_gptq = (model.forward(fixture.images) - fp).pow(2).sum().item<double>();
  INFO("RTN " << e_rtn << "  GPTQ " << e_gptq);
  CHECK(e_gptq < e_rtn);
}
