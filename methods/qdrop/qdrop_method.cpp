#include "methods/qdrop/qdrop_method.h"

#include "framework/method/recon_pass.h"
#include "framework/recon/recon_config.h"

namespace ptq::methods {

ReconOptions QdropMethod::preset(double drop_prob) {
  ReconOptions o;
  o.pass = "qdrop";
  o.granularity.kind = "block";
  o.iters = 20000;
  o.batch_size = 32;
  o.sampling = "with_replacement";
  o.rounding = "adaround";
  o.adaround.lambda = 0.01;
  o.quantize_activations = true;
  o.learn_act_scale = true;
  o.act_lr = 4e-5;
  o.act_lr_schedule = "cosine";
  o.input.kind = "drop";
  o.input.keep_prob = drop_prob;
  o.act_keep_prob = drop_prob;
  return o;
}

void QdropMethod::apply(MethodContext& ctx) {
  calibrate_and_reconstruct(ctx, options_);
}

std::unique_ptr<Method> QdropMethod::from_config(const config::Section& s) {
  const double p = s.get_double("drop_prob", 0.5, config::DoubleRange{0.0, 1.0});
  return std::make_unique<QdropMethod>(recon_options_from_config(s, preset(p)));
}

}  // namespace ptq::methods
