#include <catch2/catch.hpp>

#include "framework/core/check.h"
#include "framework/quant/fake_quant.h"
#include "framework/recon/group_optimizer.h"
#include "framework/recon/reconstructor.h"
#include "tests/support/recon_fixture.h"
#include "tests/support/temp_dir.h"

#include <fstream>

using namespace ptq;

namespace {

bool same_state(const std::map<std::string, torch::Tensor>& a, const std::map<std::string, torch::Tensor>& b) {
  if (a.size() != b.size()) return false;
  for (const auto& [k, v] : a) {
    auto it = b.find(k);
    if (it == b.end() || !torch::equal(v, it->second)) {
      UNSCOPED_INFO("differs: " << k);
      return false;
    }
  }
  return true;
}

ReconOptions qdrop_like(int64_t iters = 20) {
  auto o = test::tiny_recon_options(iters);
  o.learn_act_scale = true;
  o.act_lr = 1e-3;
  o.input.kind = "drop";
  o.input.keep_prob = 0.5;
  o.act_keep_prob = 0.5;
  return o;
}

}  // namespace

TEST_CASE("reconstructor: the reconstruction loss falls", "[recon]") {
  auto f = test::make_recon_fixture(2, 4);
  auto o = test::tiny_recon_options(150);
  o.adaround.lr = 1e-2;
  Reconstructor r(*f.model, o);
  auto report = r.run(f.images, 1005);
  REQUIRE(report.groups.size() == 5);
  for (const auto& g : report.groups) {
    INFO(g.name << ": " << g.first_loss << " -> " << g.final_loss);
    CHECK(g.iters == 150);
    // The 2-bit blocks improve clearly; the 8-bit stem and head start near their optimum.
    if (g.name.rfind("layer", 0) == 0) CHECK(g.final_loss < 0.9 * g.first_loss);
  }
}

TEST_CASE("reconstructor: hard-rounded weights lie on the grid; the float network is untouched", "[recon]") {
  for (const std::string granularity : {"layer", "block"}) {
    DYNAMIC_SECTION(granularity) {
      auto f = test::make_recon_fixture(3, 4);
      std::vector<torch::Tensor> float_weights;
      for (const auto& e : f.model->layers()) float_weights.push_back(e.layer->weight.clone());
      torch::Tensor fp_logits;
      {
        torch::NoGradGuard no_grad;
        f.model->set_all_quantizers(QuantizerState::Off);
        fp_logits = f.model->forward(f.images);
        f.model->set_all_quantizers(QuantizerState::Quantize);
      }
      auto o = test::tiny_recon_options(20);
      o.granularity.kind = granularity;
      Reconstructor(*f.model, o).run(f.images, 3);
      verify_weights_on_grid(f.model->layers());  // throws when a quantised weight is off the grid
      int learned = 0;
      for (size_t i = 0; i < f.model->layers().size(); ++i) {
        const auto& e = f.model->layers()[i];
        CHECK(torch::equal(e.layer->weight, float_weights[i]));  // float weights kept
        if (e.layer->weight_quantizer->rounding()) ++learned;
        // Nearest rounding of the quantised weights (a packed format) reproduces them.
        auto wq = e.layer->effective_weight().detach();
        CHECK(torch::equal(fake_quant(wq, e.layer->weight_quantizer->scale(), e.layer->weight_quantizer->zero_point(),
                                      e.layer->weight_quantizer->options().spec),
                           wq));
      }
      CHECK(learned == static_cast<int>(f.model->layers().size()));
      torch::NoGradGuard no_grad;
      f.model->set_all_quantizers(QuantizerState::Off);
      CHECK(torch::equal(f.model->forward(f.images), fp_logits));  // the float network is the original one
    }
  }
}

TEST_CASE("reconstructor: QDrop with p = 1 reproduces the quantised-input policy bit for bit", "[recon][qdrop]") {
  auto o1 = qdrop_like();
  o1.input.keep_prob = 1.0;
  o1.act_keep_prob = 1.0;
  auto o2 = qdrop_like();
  o2.input.kind = "quant";
  o2.act_keep_prob = 1.0;
  auto a = test::make_recon_fixture(), b = test::make_recon_fixture();
  Reconstructor(*a.model, o1).run(a.images, 11);
  Reconstructor(*b.model, o2).run(b.images, 11);
  CHECK(same_state(test::full_state(*a.model), test::full_state(*b.model)));
  // ... while p = 0.5 does change the result.
  auto c = test::make_recon_fixture();
  Reconstructor(*c.model, qdrop_like()).run(c.images, 11);
  CHECK_FALSE(same_state(test::full_state(*a.model), test::full_state(*c.model)));
}

TEST_CASE("reconstructor: same options and seed give bit-identical models; spilling changes nothing",
          "[recon][determinism]") {
  auto a = test::make_recon_fixture(), b = test::make_recon_fixture(), c = test::make_recon_fixture();
  auto o = qdrop_like();
  Reconstructor(*a.model, o).run(a.images, 5);
  Reconstructor(*b.model, o).run(b.images, 5);
  CHECK(same_state(test::full_state(*a.model), test::full_state(*b.model)));
  auto spill = o;
  spill.cache.memory_mb = 0;
  auto report = Reconstructor(*c.model, spill).run(c.images, 5);
  CHECK(report.spilled_entries > 0);
  CHECK(report.cache_peak_bytes == 0);
  CHECK(same_state(test::full_state(*a.model), test::full_state(*c.model)));
  torch::NoGradGuard no_grad;
  CHECK(torch::equal(a.model->forward(a.images), c.model->forward(c.images)));
}

namespace {

// A loss plugin that turns NaN at a given iteration.
class NanAtStep final : public ReconLoss {
 public:
  explicit NanAtStep(int64_t step) : step_(step) {}
  std::string name() const override { return "nan"; }
  torch::Tensor compute(const LossBatch& b, LossTerms& terms) override {
    auto l = lp_reconstruction_loss(b.output, b.target, 2.0);
    if (++calls_ == step_) l = l * std::numeric_limits<float>::quiet_NaN();
    terms["rec"] = l.item<double>();
    return l;
  }

 private:
  int64_t step_, calls_ = 0;
};

}  // namespace

TEST_CASE("reconstructor: a NaN loss stops with the group, the iteration and the last loss; the log is kept",
          "[recon][errors]") {
  test::TempDir dir;
  auto f = test::make_recon_fixture();
  auto o = test::tiny_recon_options(10);
  o.log_every = 1;
  Reconstructor r(*f.model, o);
  r.set_losses({std::make_shared<NanAtStep>(14)});  // the stem has 10 iterations: NaN at layer1.0's 4th
  r.set_log_file(dir.file("recon.jsonl"));
  CHECK_THROWS_MATCHES(r.run(f.images, 1), UserError,
                       Catch::Matchers::Predicate<UserError>(
                           [](const UserError& e) {
                             const std::string m = e.what();
                             return m.find("group 'layer1.0'") != std::string::npos &&
                                    m.find("iteration 4 of 10") != std::string::npos &&
                                    m.find("last finite loss") != std::string::npos;
                           },
                           "names group, iteration and last loss"));
  std::ifstream log(dir.file("recon.jsonl"));
  std::string line;
  int lines = 0, stem_done = 0;
  while (std::getline(log, line)) {
    ++lines;
    if (line.find("\"done\":true") != std::string::npos && line.find("\"stem\"") != std::string::npos) ++stem_done;
  }
  CHECK(lines == 10 + 1 + 3);  // the stem's 10 iterations and summary, layer1.0's first 3 iterations
  CHECK(stem_done == 1);
}

TEST_CASE("reconstructor: uncalibrated quantisers are reported, not used", "[recon][errors]") {
  auto f = test::make_recon_fixture(4, 4, 16, /*calibrate_acts=*/false);
  auto o = test::tiny_recon_options(2);
  CHECK_THROWS_WITH(Reconstructor(*f.model, o).run(f.images, 1),
                    Catch::Contains("is not calibrated") && Catch::Contains("act_init: per_group"));
  o.act_init = "per_group";
  auto report = Reconstructor(*f.model, o).run(f.images, 1);
  CHECK(report.groups.size() == 5);
  for (const auto& q : f.model->quantizers())
    if (q->configured()) CHECK(q->calibrated());
}

TEST_CASE("reconstructor: skipped groups keep nearest rounding; weights-only passes leave activations off",
          "[recon]") {
  auto f = test::make_recon_fixture();
  auto stem_w = f.model->layers().front().layer->weight.clone();
  auto o = test::tiny_recon_options(5);
  o.skip = {"stem"};
  o.quantize_activations = false;
  auto report = Reconstructor(*f.model, o).run(f.images, 1);
  CHECK(report.groups.front().skipped);
  CHECK(torch::equal(f.model->layers().front().layer->weight, stem_w));
  CHECK(f.model->layers()[1].layer->output_quantizer->state() == QuantizerState::Off);
}
