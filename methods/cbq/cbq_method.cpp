#include "methods/cbq/cbq_method.h"

#include "framework/method/recon_pass.h"
#include "framework/nn/calibration.h"
#include "framework/recon/recon_config.h"

namespace ptq::methods {

ReconOptions CbqMethod::preset() {
  ReconOptions o;
  o.pass = "cbq";
  o.granularity.kind = "window";  // [PAPER] K = 2 blocks per window, overlap 1
  o.granularity.window = 2;
  o.granularity.overlap = 1;
  o.loss.kind = "mse_kl";         // [PAPER] ‖h1 − h2‖² + KL(σ(h1) ‖ σ(h2))
  o.loss.kl_weight = 1.0;
  o.rounding = "adaround";        // [PAPER] LoRA-Rounding with AdaRound's rectified sigmoid and regulariser
  o.adaround.rank = 5;            // [INFERRED] rank not given
  o.adaround.lambda = 0.01;       // [INFERRED] AdaRound's default
  o.adaround.lr = 1e-3;           // [INFERRED]
  o.learn_weight_scale = true;    // [PAPER] S^W learned
  o.weight_scale_lr = 1e-4;       // [INFERRED]
  o.learn_act_scale = true;       // [PAPER] S^X learned (static activation quantisers)
  o.act_lr = 4e-5;                // [INFERRED]
  o.quantize_activations = true;
  o.input.kind = "quant";         // the window reads the quantised prefix's output
  o.iters = 2000;                 // [INFERRED] per window, scaled to ptq's small decoder
  o.batch_size = 8;               // [INFERRED] calibration windows per iteration
  o.forward_batch = 16;
  o.sampling = "with_replacement";
  o.skip = {};
  return o;
}

void CbqMethod::apply(MethodContext& ctx) {
  nlohmann::json cfp = nlohmann::json::object();
  if (cfp_.weights) cfp["weights"] = truncate_weight_outliers(ctx.model, cfp_);
  if (cfp_.activations) cfp["activations"] = scale_activation_outliers(ctx.model, ctx.calibration, cfp_);
  ctx.details["cfp"] = cfp;
  calibrate_and_reconstruct(ctx, options_);
}

std::unique_ptr<Method> CbqMethod::from_config(const config::Section& s) {
  CfpOptions cfp;
  const auto c = s.section("cfp");
  cfp.weights = c.get_bool("weights", cfp.weights);
  cfp.activations = c.get_bool("activations", cfp.activations);
  cfp.lambda1 = c.get_double("lambda1", cfp.lambda1, config::DoubleRange::at_least(0.0));
  cfp.lambda2 = c.get_double("lambda2", cfp.lambda2, config::DoubleRange::at_least(0.0));
  cfp.samples = c.get_int("samples", cfp.samples, config::IntRange::at_least(1));
  cfp.batch_size = c.get_int("batch_size", cfp.batch_size, config::IntRange::at_least(1));
  return std::make_unique<CbqMethod>(recon_options_from_config(s, preset()), cfp);
}

}  // namespace ptq::methods
