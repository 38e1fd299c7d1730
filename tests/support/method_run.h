// A method applied to a fresh recon fixture (2-bit weights, 4-bit activations, activations
// uncalibrated so the method calibrates them): what it recorded and the quantised model's
// logits on the fixture images, for tests of what a method reports and of its determinism.
#pragma once

#include "framework/method/method.h"
#include "tests/support/recon_fixture.h"

#include <nlohmann/json.hpp>

namespace ptq::test {

struct AppliedMethod {
  ReconFixture fixture;
  nlohmann::json details;
  torch::Tensor logits;
};

inline AppliedMethod apply_to_fresh_fixture(Method& method, int64_t samples, uint64_t seed) {
  AppliedMethod a{make_recon_fixture(2, 4, samples, /*calibrate_acts=*/false), {}, {}};
  CalibrationOptions co;
  co.act_samples = 16;
  MethodContext ctx{*a.fixture.model, a.fixture.images, co, seed};
  method.apply(ctx);
  a.details = ctx.details;
  torch::NoGradGuard no_grad;
  a.logits = a.fixture.model->forward(a.fixture.images);
  return a;
}

}  // namespace ptq::test
