#include "methods/adaround/adaround_method.h"

#include "framework/method/recon_pass.h"
#include "framework/recon/recon_config.h"

namespace ptq::methods {

ReconOptions AdaRoundMethod::preset() {
  ReconOptions o;
  o.pass = "adaround";
  o.granularity.kind = "layer";
  o.iters = 10000;
  o.batch_size = 32;
  o.sampling = "without_replacement";
  o.rounding = "adaround";
  o.adaround.lambda = 0.01;
  o.input.kind = "quant";
  o.quantize_activations = true;
  return o;
}

void AdaRoundMethod::apply(MethodContext& ctx) {
  calibrate_and_reconstruct(ctx, options_);
}

std::unique_ptr<Method> AdaRoundMethod::from_config(const config::Section& s) {
  return std::make_unique<AdaRoundMethod>(recon_options_from_config(s, preset()));
}

}  // namespace ptq::methods
