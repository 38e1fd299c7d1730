// Reading quantisation settings from the `quant:` section of a config:
//
// quant:
//   weight:                       # one quantiser spec (QuantizerOptions), defaults shown
//     enabled: true
//     format: int                 # int | e4m3 | e5m2 | e3m2 | e2m3 | e2m1 | float (custom ExMy below)
//     bits: 4                     # int only; minifloat bits follow from the format
//     exp_bits / man_bits / bias / subnormals / specials   # format: float only
//     signed: false               # int grid [-2^(b-1), 2^(b-1)-1] instead of [0, 2^b-1]
//     symmetric: false            # zero point fixed at 0 (always true for minifloat)
//     granularity: channel        # tensor | channel | group   (act default: tensor)
//     axis: 0                     # channel axis / first grouped axis (group default: 1)
//     group_size: 128
//     dynamic: false              # scales from each input (activations)
//     observer: mse               # minmax | percentile | mse | mse_grid
//     percentile: 99.99  p: 2.4  steps: 80  step: 0.01  grid_steps: 100
//     learnable_scale: false  lsq_grad_scale: false
//   act: { same keys, plus position: output | input }
//   first_layer: { weight_bits: 8, act_bits: 0 }   # 0 = same as the rest
//   last_layer:  { weight_bits: 8, act_bits: 8 }
#pragma once

#include "framework/config/section.h"
#include "framework/nn/quant_setup.h"

namespace ptq {

QuantSetup quant_setup_from_config(const config::Section& quant);
QuantizerOptions quantizer_options_from_config(const config::Section& s, const QuantizerOptions& defaults);

// "W4A4" / "W2A4" / "We4m3A8" / "W4A32": a short label of a setup for tables (32 = float32, unquantised).
std::string short_label(const QuantSetup& setup);

}  // namespace ptq
