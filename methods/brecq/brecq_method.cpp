#include "methods/brecq/brecq_method.h"

#include "framework/method/recon_pass.h"
#include "framework/recon/recon_config.h"

namespace ptq::methods {

ReconOptions BrecqMethod::weight_preset() {
  ReconOptions o;
  o.pass = "weights";
  o.granularity.kind = "block";
  o.skip = {"stem"};
  o.iters = 20000;
  o.batch_size = 32;
  o.sampling = "without_replacement";
  o.rounding = "adaround";
  o.adaround.lambda = 0.01;
  o.quantize_activations = false;
  o.input.kind = "quant";
  o.loss.kind = "lp";
  o.loss.p = 2.0;
  return o;
}

ReconOptions BrecqMethod::act_preset() {
  ReconOptions o;
  o.pass = "acts";
  o.granularity.kind = "block";
  o.skip = {"stem"};
  o.iters = 5000;
  o.batch_size = 32;
  o.sampling = "without_replacement";
  o.rounding = "nearest";
  o.quantize_activations = true;
  o.learn_act_scale = true;
  o.act_lr = 4e-4;
  o.act_lr_schedule = "cosine";
  o.input.kind = "fp";
  o.loss.kind = "lp";
  o.loss.p = 2.4;
  return o;
}

void BrecqMethod::apply(MethodContext& ctx) {
  calibrate_weights(ctx.model);
  {
    Reconstructor r(ctx.model, weights_);
    run_recon_pass(ctx, r);
  }
  bool has_acts = false;
  for (size_t u = 0; u < ctx.model.units().size(); ++u) {
    ReconGroup unit;
    unit.unit_begin = u;
    unit.unit_end = u + 1;
    has_acts = has_acts || !group_act_quantizers(ctx.model, unit).empty();
  }
  calibrate_activations(ctx.model, ctx.calibration, ctx.calibration_options);
  if (act_stage_ && has_acts) {
    Reconstructor r(ctx.model, acts_);
    run_recon_pass(ctx, r);
  }
}

std::unique_ptr<Method> BrecqMethod::from_config(const config::Section& s) {
  auto weights = recon_options_from_config(s, weight_preset());
  const auto a = s.section("act_stage");
  const bool enabled = a.get_bool("enabled", true);
  auto acts = recon_options_from_config(a, act_preset());
  return std::make_unique<BrecqMethod>(std::move(weights), enabled, std::move(acts));
}

}  // namespace ptq::methods
