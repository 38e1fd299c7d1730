// A tiny quantised model ready for reconstruction tests: resnet8 on 1x28x28 (random but
// seeded weights, BN folded), quantisers placed by a QuantSetup, weights and activations
// calibrated on seeded random images; plus ReconOptions sized to run in a second.
#pragma once

#include "framework/nn/calibration.h"
#include "framework/nn/quant_setup.h"
#include "framework/nn/zoo.h"
#include "framework/recon/recon_options.h"
#include "tests/support/fixtures.h"

#include <torch/torch.h>

namespace ptq::test {

struct ReconFixture {
  QuantModel model;
  torch::Tensor images;
};

inline ReconFixture make_recon_fixture(int weight_bits = 2, int act_bits = 4, int64_t samples = 32,
                                       bool calibrate_acts = true) {
  torch::manual_seed(7);
  ReconFixture f;
  f.model = create_model("resnet8", fmnist_model_options());
  f.model->fold_batchnorm();
  f.images = torch::randn({samples, 1, 28, 28});
  QuantSetup setup;
  setup.weight = default_weight_options(weight_bits);
  setup.act = default_act_options(act_bits);
  apply_quant_setup(*f.model, setup);
  calibrate_weights(*f.model);
  if (calibrate_acts) {
    CalibrationOptions co;
    co.act_samples = samples;
    co.batch_size = 16;
    calibrate_activations(*f.model, f.images, co);
  }
  return f;
}

inline ReconOptions tiny_recon_options(int64_t iters = 30) {
  ReconOptions o;
  o.iters = iters;
  o.batch_size = 8;
  o.forward_batch = 16;
  o.progress = false;
  o.log_every = 0;
  return o;
}

// Every parameter and buffer (quantiser state included) of the model by name, plus each
// layer's quantised weight (learned rounding included) under "<layer>.quantised_weight".
inline std::map<std::string, torch::Tensor> full_state(QuantModelImpl& m) {
  std::map<std::string, torch::Tensor> out;
  for (const auto& p : m.named_parameters()) out[p.key()] = p.value().detach().clone();
  for (const auto& b : m.named_buffers()) out[b.key()] = b.value().detach().clone();
  torch::NoGradGuard no_grad;
  for (const auto& e : m.layers()) out[e.name + ".quantised_weight"] = e.layer->effective_weight().clone();
  return out;
}

}  // namespace ptq::test
