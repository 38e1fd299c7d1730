#include "methods/pd_quant/pd_quant_method.h"

#include "framework/core/check.h"
#include "framework/method/recon_pass.h"
#include "framework/recon/recon_config.h"
#include "methods/pd_quant/pd_input_policy.h"
#include "methods/qdrop/qdrop_method.h"

namespace ptq::methods {

PdQuantOptions PdQuantMethod::preset() {
  PdQuantOptions o;
  o.recon = QdropMethod::preset(0.5);
  o.recon.pass = "pd_quant";
  o.recon.adaround.lr = 3e-3;
  // QDrop `master` quantisers: activation ranges per block from 256 cached quantised inputs.
  o.recon.act_init = "per_group";
  o.recon.act_init_samples = 256;
  return o;
}

void PdQuantMethod::apply(MethodContext& ctx) {
  const auto& r = options_.recon;
  PTQ_CHECK(!options_.dc.enabled || ctx.model.batchnorm_folded(),
            "pd_quant: distribution correction reads the BN statistics kept by folding, but this model's BN layers "
            "are not folded (model.fold_bn: false); set model.fold_bn: true or method.dc.enabled: false");
  calibrate_weights(ctx.model);
  if (r.quantize_activations && r.act_init == "none")
    calibrate_activations(ctx.model, ctx.calibration, ctx.calibration_options);
  Reconstructor recon(ctx.model, r);
  recon.set_input_policy(std::make_shared<PdInputPolicy>(r.input.keep_prob, options_.dc));
  recon.set_losses({std::make_shared<PredictionDifferenceLoss>(options_.pd)});
  run_recon_pass(ctx, recon);
}

std::unique_ptr<Method> PdQuantMethod::from_config(const config::Section& s) {
  auto o = preset();
  // Its input policy and loss are PD-Quant's own; a setting for them would be ignored.
  for (const char* key : {"input", "loss"})
    PTQ_CHECK(!s.has(key), "method.{}: pd_quant builds its own block input ([QDrop mix; quantised]) and loss "
                           "(feature MSE + prediction difference); remove method.{} ({}); its knobs are drop_prob "
                           "pd.{{temperature, lambda_r}} and dc.*",
              key, key, s.source_of(key));
  const double p = s.get_double("drop_prob", 0.5, config::DoubleRange{0.0, 1.0});
  o.recon.input.keep_prob = p;
  o.recon.act_keep_prob = p;
  o.recon = recon_options_from_config(s, o.recon);
  const auto pd = s.section("pd");
  o.pd.temperature = pd.get_double("temperature", o.pd.temperature, config::DoubleRange::greater_than(0.0));
  o.pd.lambda_r = pd.get_double("lambda_r", o.pd.lambda_r, config::DoubleRange::greater_than(0.0));
  const auto dc = s.section("dc");
  o.dc.enabled = dc.get_bool("enabled", o.dc.enabled);
  o.dc.iters = dc.get_int("iters", o.dc.iters, config::IntRange::at_least(0));
  o.dc.chunk = dc.get_int("chunk", o.dc.chunk, config::IntRange::at_least(1));
  o.dc.lr = dc.get_double("lr", o.dc.lr, config::DoubleRange::greater_than(0.0));
  o.dc.lambda_c = dc.get_double("lambda_c", o.dc.lambda_c, config::DoubleRange::greater_than(0.0));
  o.dc.patience = dc.get_int("patience", o.dc.patience, config::IntRange::at_least(0));
  o.dc.min_lr = dc.get_double("min_lr", o.dc.min_lr, config::DoubleRange::greater_than(0.0));
  o.dc.progress = o.recon.progress;
  return std::make_unique<PdQuantMethod>(o);
}

}  // namespace ptq::methods
