#include "methods/pd_quant/pd_input_policy.h"

#include "framework/core/progress.h"
#include "framework/recon/quantizer_states.h"

#include <fmt/format.h>

namespace ptq::methods {

PdInputPolicy::PdInputPolicy(double keep_prob, DcOptions dc) : dc_(dc) {
  dc_.validate();
  InputPolicyOptions o;
  o.kind = "drop";
  o.keep_prob = keep_prob;
  mix_ = make_input_policy(o);
}

void PdInputPolicy::prepare(GroupContext& g) {
  if (dc_.enabled && group_has_bn(g.model, g.group)) {
    // New entries, then renamed: "fp_in" may be an alias of "q_in" (the first unit's images),
    // which must stay uncorrected.
    ProgressBar bar(fmt::format("distribution correction {}", g.group.name), g.rows, dc_.progress);
    g.cache.fill("fp_in_dc", g.rows, dc_.chunk, [&](int64_t b, int64_t c) {
      auto xh = correct_distribution(g.model, g.group, g.cache.slice("fp_in", b, c), dc_);
      bar.update(b + c, fmt::format("{} of {} rows", b + c, g.rows));
      return xh;
    });
    bar.finish(fmt::format("{} rows", g.rows));
    g.cache.fill("fp_out_dc", g.rows, g.forward_batch, [&](int64_t b, int64_t c) {
      torch::NoGradGuard no_grad;
      QuantizerStateGuard off(g.model.quantizers(), QuantizerState::Off);
      return g.model.forward_units(g.cache.slice("fp_in_dc", b, c), g.group.unit_begin, g.group.unit_end);
    });
    for (const char* name : {"fp_in", "fp_out"}) {
      g.cache.release(name);
      g.cache.rename(std::string(name) + "_dc", name);
    }
  }
  mix_->prepare(g);
}

torch::Tensor PdInputPolicy::batch(GroupContext& g, const torch::Tensor& indices) {
  auto mixed = mix_->batch(g, indices);
  return torch::cat({mixed, g.cache.gather("q_in", indices)}, 0);
}

}  // namespace ptq::methods
