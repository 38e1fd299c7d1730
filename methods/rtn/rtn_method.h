// rtn — round-to-nearest post-training quantisation, the baseline every reconstruction
// method is compared with: weights are rounded to the nearest grid point with a scale
// from the configured weight observer (min-max, percentile, BRECQ's MSE shrink or QDrop's
// grid), activation ranges come from the activation observer on calibration images.
// No optimisation. Options (method.*): none beyond `name`; the observers and the
// calibration order are quantisation settings (quant.*, calibration.*).
#pragma once

#include "framework/method/method.h"

namespace ptq::methods {

class RtnMethod final : public Method {
 public:
  std::string name() const override { return "rtn"; }
  void apply(MethodContext& ctx) override;
  static std::unique_ptr<Method> from_config(const config::Section& section);
};

}  // namespace ptq::methods
