#include "methods/rtn/rtn_method.h"

namespace ptq::methods {

void RtnMethod::apply(MethodContext& ctx) {
  calibrate_weights(ctx.model);
  calibrate_activations(ctx.model, ctx.calibration, ctx.calibration_options);
}

std::unique_ptr<Method> RtnMethod::from_config(const config::Section&) { return std::make_unique<RtnMethod>(); }

}  // namespace ptq::methods
