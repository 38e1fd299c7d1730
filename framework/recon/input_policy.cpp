#include "framework/recon/input_policy.h"

#include "framework/core/check.h"
#include "framework/quant/fused_fake_quant.h"

namespace ptq {
namespace {

class FloatInput final : public InputPolicy {
 public:
  std::string name() const override { return "fp"; }
  bool needs_fp_input() const override { return true; }
  bool needs_quant_input() const override { return false; }
  torch::Tensor batch(GroupContext& g, const torch::Tensor& idx) override { return g.cache.gather("fp_in", idx); }
};

class QuantInput final : public InputPolicy {
 public:
  std::string name() const override { return "quant"; }
  bool needs_fp_input() const override { return false; }
  bool needs_quant_input() const override { return true; }
  torch::Tensor batch(GroupContext& g, const torch::Tensor& idx) override { return g.cache.gather("q_in", idx); }
};

class DropInput final : public InputPolicy {
 public:
  explicit DropInput(double keep) : keep_(keep) {}
  std::string name() const override { return "drop"; }
  bool needs_fp_input() const override { return keep_ < 1.0; }
  bool needs_quant_input() const override { return true; }
  torch::Tensor batch(GroupContext& g, const torch::Tensor& idx) override {
    if (keep_ >= 1.0) return g.cache.gather("q_in", idx);
    if (g.cache.same_data("q_in", "fp_in")) {  // the first unit's images: any mix equals q,
      // but draw what a real mix would, so the random stream (and every result) is unchanged.
      auto q = g.cache.gather("q_in", idx);
      if (fused_fake_quant_supported(q)) draw_drop_seed();
      else torch::rand_like(q);
      return q;
    }
    auto qm = g.cache.in_memory("q_in"), fm = g.cache.in_memory("fp_in");
    if (qm.defined() && fm.defined() && fused_fake_quant_supported(qm) && fused_fake_quant_supported(fm))
      return random_mix_rows(qm, fm, idx, keep_, draw_drop_seed());  // gather and mix in one pass
    auto q = g.cache.gather("q_in", idx);
    auto fp = g.cache.gather("fp_in", idx);
    if (fused_fake_quant_supported(q) && fused_fake_quant_supported(fp)) return random_mix(q, fp, keep_, draw_drop_seed());
    return torch::where(torch::rand_like(q) < keep_, q, fp);
  }

 private:
  double keep_;
};

}  // namespace

std::shared_ptr<InputPolicy> make_input_policy(const InputPolicyOptions& o) {
  if (o.kind == "fp") return std::make_shared<FloatInput>();
  if (o.kind == "quant") return std::make_shared<QuantInput>();
  if (o.kind == "drop") {
    PTQ_CHECK(o.keep_prob >= 0.0 && o.keep_prob <= 1.0, "input.keep_prob: expected a probability in [0, 1], got {}",
              o.keep_prob);
    return std::make_shared<DropInput>(o.keep_prob);
  }
  PTQ_FAIL("input.policy: expected one of fp, quant, drop, got \"{}\"", o.kind);
}

}  // namespace ptq
