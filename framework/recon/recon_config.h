// Reading ReconOptions from a config section (the method's `method:` section, or a
// sub-section for a second pass such as BRECQ's activation stage). `defaults` is the
// method's paper preset; every key is optional and overrides it:
//
//   iters: 20000            batch_size: 32          sampling: with_replacement | without_replacement | epochs
//   granularity: block      # layer | block | stage | net | ranges
//   ranges: [[0, 1], [1, 3]]                        # granularity: ranges
//   skip: [stem]            # group names (or stem / head) left at nearest rounding
//   rounding: adaround      # adaround | nearest
//   adaround: {lambda: 0.01, warmup: 0.2, beta_start: 20, beta_end: 2, lr: 1.0e-3, zeta: 1.1, gamma: -0.1, fixed_floor: false}
//   quantize_activations: true
//   act_init: none          # none | per_group        act_init_samples: 256
//   learn_act_scale: false  act_lr: 4.0e-5          act_lr_schedule: cosine | constant
//   learn_weight_scale: false                       weight_scale_lr: 1.0e-4   weight_scale_lr_schedule: constant
//   input: {policy: quant, keep_prob: 0.5}          # fp | quant | drop
//   act_keep_prob: 1.0      # QDrop's in-group dropping (0.5)
//   loss: {kind: lp, p: 2.0, fisher: {damping: 0.0, normalize: true, batch_mean: false}}
//   early_stop: {enabled: false, window: 500, patience: 3, min_delta: 1.0e-3}
//   cache: {memory_mb: 4096, spill_dir: ""}
//   forward_batch: 64       log_every: 500          verify: true            progress: true
#pragma once

#include "framework/config/section.h"
#include "framework/recon/recon_options.h"

namespace ptq {

// The `cache` section ({memory_mb, spill_dir}), also read by methods that cache without the loop (gptq).
CacheOptions cache_options_from_config(const config::Section& cache, const CacheOptions& defaults);

ReconOptions recon_options_from_config(const config::Section& s, const ReconOptions& defaults);

}  // namespace ptq
