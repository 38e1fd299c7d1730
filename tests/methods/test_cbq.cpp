// CBQ: sliding windows (coverage, overlap, the inputs each window reads), the MSE + KL window
// loss, LoRA-Rounding against AdaRound, the coarse-to-fine outlier rule, CFP's activation
// scaling (an exact reparametrisation of the float decoder) and the method end to end.
#include <catch2/catch.hpp>

#include "framework/nn/calibration.h"
#include "framework/nn/llama.h"
#include "framework/nn/quant_setup.h"
#include "framework/quant/grouping.h"
#include "framework/recon/adaround.h"
#include "framework/recon/granularity.h"
#include "framework/recon/loss.h"
#include "framework/recon/quantizer_states.h"
#include "framework/recon/reconstructor.h"
#include "methods/cbq/cbq_method.h"
#include "methods/cbq/cfp.h"
#include "methods/cbq/outliers.h"
#include "tests/support/llama_fixture.h"
#include "tests/support/method_yaml.h"

using namespace ptq;

namespace {

std::shared_ptr<LlamaModelImpl> tiny_decoder(int64_t layers = 4) {
  torch::manual_seed(11);
  auto m = create_llama(test::tiny_llama(40, 16, 24, layers, 4, 2));
  m->eval();
  return m;
}

torch::Tensor tiny_ids(int64_t n = 12, int64_t t = 10) { return torch::randint(0, 40, {n, t}).to(torch::kFloat); }

std::vector<std::pair<size_t, size_t>> ranges(const std::vector<ReconGroup>& gs) {
  std::vector<std::pair<size_t, size_t>> out;
  for (const auto& g : gs) out.emplace_back(g.unit_begin, g.unit_end);
  return out;
}

QuantSetup weight_only(int bits) {
  QuantSetup s;
  s.weight = default_weight_options(bits);
  s.weight.observer.kind = "minmax";
  s.quantize_activations = false;
  s.quantize_last_layer = false;
  return s;
}

// Records, for every group, the quantised input rows the reconstructor hands it.
class InputProbe final : public ReconLoss {
 public:
  std::string name() const override { return "probe"; }
  void prepare(GroupContext& g) override {
    seen.emplace_back(g.group.unit_begin, g.cache.slice("q_in", 0, g.rows).clone());
  }
  torch::Tensor compute(const LossBatch& b, LossTerms&) override { return b.output.sum() * 0.0; }
  std::vector<std::pair<size_t, torch::Tensor>> seen;
};

}  // namespace

TEST_CASE("cbq windows: every decoder layer covered, consecutive windows share `overlap` layers", "[methods][cbq]") {
  auto m = tiny_decoder(4);  // units: embed_tokens, 4 layers, head
  GranularityOptions o;
  o.kind = "window";
  using R = std::vector<std::pair<size_t, size_t>>;
  CHECK(ranges(make_groups(*m, o)) == R{{0, 1}, {1, 3}, {2, 4}, {3, 5}, {5, 6}});
  o.window = 3;
  o.overlap = 1;
  CHECK(ranges(make_groups(*m, o)) == R{{0, 1}, {1, 4}, {3, 5}, {5, 6}});
  o.window = 3;
  o.overlap = 2;
  CHECK(ranges(make_groups(*m, o)) == R{{0, 1}, {1, 4}, {2, 5}, {5, 6}});
  o.window = 1;
  o.overlap = 0;
  CHECK(ranges(make_groups(*m, o)) == R{{0, 1}, {1, 2}, {2, 3}, {3, 4}, {4, 5}, {5, 6}});  // = block
  o.window = 8;
  CHECK(ranges(make_groups(*m, o)) == R{{0, 1}, {1, 5}, {5, 6}});
  o.window = 2;
  o.overlap = 2;
  CHECK_THROWS_WITH(make_groups(*m, o), Catch::Contains("overlap < window"));
}

TEST_CASE("cbq windows: each window reads the quantised prefix's output at its first layer", "[methods][cbq]") {
  auto m = tiny_decoder(4);
  const auto ids = tiny_ids();
  apply_quant_setup(*m, weight_only(3));
  calibrate_weights(*m);
  ReconOptions o = methods::CbqMethod::preset();
  o.iters = 3;
  o.batch_size = 4;
  o.forward_batch = 5;
  o.progress = false;
  o.learn_act_scale = false;
  Reconstructor r(*m, o);
  auto probe = std::make_shared<InputProbe>();
  r.add_loss(probe);
  r.run(ids, 3);
  // Every group (stem, three windows, head) was probed; its input is what the final quantised
  // model computes up to the group's first unit (earlier units are final by then).
  REQUIRE(probe->seen.size() == 5);
  torch::NoGradGuard no_grad;
  for (const auto& [begin, q_in] : probe->seen) {
    INFO("window starting at unit " << begin);
    const auto expected = m->forward_units(ids, 0, begin);
    CHECK(torch::allclose(q_in, expected, 1e-5, 1e-6));
  }
  std::vector<size_t> begins;
  for (const auto& s : probe->seen) begins.push_back(s.first);
  CHECK(begins == std::vector<size_t>{0, 1, 2, 3, 5});
}

TEST_CASE("cbq loss: MSE over the hidden dimension plus KL of the softmaxes", "[methods][cbq]") {
  torch::manual_seed(12);
  const auto y = torch::randn({2, 3, 5}), t = torch::randn({2, 3, 5});
  double mse = 0, kl = 0;
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t p = 0; p < 3; ++p) {
      const auto pt = torch::softmax(t[b][p], 0), pq = torch::softmax(y[b][p], 0);
      for (int64_t c = 0; c < 5; ++c) {
        const double d = y[b][p][c].item<double>() - t[b][p][c].item<double>();
        mse += d * d;
        kl += pt[c].item<double>() * std::log(pt[c].item<double>() / pq[c].item<double>());
      }
    }
  mse /= 6, kl /= 6;
  LossOptions lo;
  lo.kind = "mse_kl";
  auto loss = make_loss(lo);
  const auto idx = torch::arange(2);
  auto m = tiny_decoder(1);
  ReconGroup g;
  ActivationCache cache;
  GroupContext ctx{*m, g, cache, 2, 2, nullptr};
  LossTerms terms;
  CHECK(loss->compute(LossBatch{y, t, idx, ctx}, terms).item<double>() == Approx(mse + kl).epsilon(1e-5));
  CHECK(terms["mse"] == Approx(mse).epsilon(1e-5));
  CHECK(terms["kl"] == Approx(kl).epsilon(1e-5));
  lo.kl_weight = 0.0;
  CHECK(make_loss(lo)->compute(LossBatch{y, t, idx, ctx}, terms).item<double>() == Approx(mse).epsilon(1e-5));
}

TEST_CASE("LoRA-Rounding: starts where AdaRound starts and at full rank is AdaRound", "[methods][cbq]") {
  torch::manual_seed(13);
  QuantSpec spec;
  spec.bits = 3;
  const auto w = torch::randn({6, 1, 8});
  const auto scale = torch::full({6, 1}, 0.4), zero = torch::full({6, 1}, 3.0);
  AdaRoundOptions ao;
  AdaRound ada(w, scale, spec, ao);
  ao.rank = 6;  // full: min(6 rows, 8 columns)
  AdaRound lora(w, scale, spec, ao);
  CHECK(lora.rank() == 6);
  CHECK(lora.parameters().size() == 2);
  CHECK(lora.parameters()[0].numel() + lora.parameters()[1].numel() == (6 + 8) * 6);
  CHECK(torch::equal(lora.current_v(), ada.v()));  // A2 = 0: V = V0
  torch::NoGradGuard no_grad;
  CHECK(torch::allclose(lora.fake_quant(w, scale, zero, spec), ada.fake_quant(w, scale, zero, spec), 1e-6, 1e-6));
  // Full rank reaches any V: A1 = I, A2 = V* − V0 gives AdaRound's V*, soft and hard, and its regulariser.
  const auto target = torch::randn({6, 1, 8}) * 2.0;
  auto p = lora.parameters();
  p[0].copy_(torch::eye(6));
  p[1].copy_((target - ada.v()).reshape({6, 8}));
  ada.v().copy_(target);
  CHECK(torch::allclose(lora.current_v(), target, 1e-6, 1e-6));
  CHECK(torch::allclose(lora.fake_quant(w, scale, zero, spec), ada.fake_quant(w, scale, zero, spec), 1e-6, 1e-6));
  CHECK(lora.regularizer(5.0).item<double>() == Approx(ada.regularizer(5.0).item<double>()).epsilon(1e-6));
  const auto hw = torch::rand({6, 1, 8});
  auto a = ada.hardened(), l = lora.hardened();
  CHECK(torch::equal(a->fake_quant(w, scale, zero, spec), l->fake_quant(w, scale, zero, spec)));
  // A low rank learns far fewer numbers.
  ao.rank = 1;
  AdaRound low(w, scale, spec, ao);
  CHECK(low.parameters()[0].numel() + low.parameters()[1].numel() == 6 + 8);
}

TEST_CASE("cbq outliers: quartile threshold, then the split maximising inter minus intra", "[methods][cbq]") {
  const auto v = torch::tensor({1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 50.0, 100.0, 101.0});
  // numpy: Q1 = 4, Q3 = 10, IQR 6 -> T = 19.
  CHECK(methods::quartile_threshold(v, 1.5) == Approx(19.0));
  const auto s = methods::find_outliers(v, 1.5, 1.0);
  CHECK(s.candidates == 3);  // 50, 100, 101
  CHECK(s.outliers == 2);    // {100, 101} far from {50}
  CHECK(s.clip_to == 50.0);
  const auto none = methods::find_outliers(torch::arange(1.0, 11.0), 1.5, 1.0);
  CHECK(none.outliers == 0);
  CHECK_THROWS(methods::find_outliers(torch::tensor({1.0, NAN}), 1.5, 1.0));
}

TEST_CASE("cbq cfp: activation scaling keeps the float decoder's function and tames outlier channels",
          "[methods][cbq]") {
  auto m = tiny_decoder(2);
  {
    torch::NoGradGuard g;  // plant outlier channels at the q/k/v and gate/up inputs and in v_proj's output
    auto& d = dynamic_cast<LlamaDecoderLayerImpl&>(*m->units()[1]);
    d.input_layernorm->weight[3] = 40.0;
    d.post_attention_layernorm->weight[7] = 30.0;
    d.v_proj->weight[2].mul_(50.0);
  }
  const auto ids = tiny_ids();
  torch::Tensor before;
  {
    torch::NoGradGuard g;
    before = m->forward(ids);
  }
  methods::CfpOptions o;
  const auto report = methods::scale_activation_outliers(*m, ids, o);
  REQUIRE(report.contains("model.layers.0"));
  CHECK(report["model.layers.0"]["qkv"].get<int64_t>() >= 1);
  CHECK(report["model.layers.0"]["gate_up"].get<int64_t>() >= 1);
  CHECK(report["model.layers.0"]["o"].get<int64_t>() >= 1);
  torch::NoGradGuard g;
  CHECK(torch::allclose(m->forward(ids), before, 1e-4, 1e-4));
  auto& d = dynamic_cast<LlamaDecoderLayerImpl&>(*m->units()[1]);
  CHECK(d.input_layernorm->weight[3].item<double>() < 40.0);
}

TEST_CASE("cbq method: runs on a decoder with every component, deterministically; ablations switch off",
          "[methods][cbq]") {
  auto run = [](const std::string& extra) {
    auto m = tiny_decoder(3);
    const auto ids = tiny_ids();
    QuantSetup s = weight_only(3);
    s.quantize_activations = true;
    s.act.spec.granularity = Granularity::Token;
    s.act.spec.dynamic = true;
    s.act.spec.bits = 8;
    s.act_position = ActPosition::Input;
    apply_quant_setup(*m, s);
    auto method = test::method_from_yaml("method:\n  name: cbq\n  iters: 4\n  batch_size: 4\n  progress: false\n" + extra);
    CalibrationOptions co;
    MethodContext ctx{*m, ids, co, 5};
    method->apply(ctx);
    torch::NoGradGuard g;
    return std::make_pair(m->forward(ids), ctx.details);
  };
  const auto [a, details] = run("");
  const auto [b, details_b] = run("");
  CHECK(torch::isfinite(a).all().item<bool>());
  CHECK(torch::equal(a, b));
  CHECK(details.contains("cfp"));
  CHECK(details["passes"][0]["groups"].size() == 4u);  // stem, (1,2), (2,3), head
  const auto [c, d_off] = run("  cfp: {weights: false, activations: false}\n  adaround: {rank: 0}\n  loss: {kl_weight: 0}\n"
                              "  window: 1\n  overlap: 0\n");
  CHECK(d_off["cfp"].empty());
  CHECK(d_off["passes"][0]["groups"].size() == 5u);  // stem, 3 single layers, head
  CHECK(torch::isfinite(c).all().item<bool>());
}
