// Options of one reconstruction pass over a model (framework/recon/reconstructor.h). The
// defaults are QDrop's published protocol where the papers agree, and each method's preset
// sets the rest (methods/<name>/README.md lists them); ptq-methods.md §1–3, §8.
#pragma once

#include "framework/recon/activation_cache.h"
#include "framework/recon/adaround.h"
#include "framework/recon/granularity.h"
#include "framework/recon/input_policy.h"
#include "framework/recon/loss.h"

#include <string>
#include <vector>

namespace ptq {

struct EarlyStopOptions {
  bool enabled = false;      // off in every paper preset
  int64_t window = 500;      // iterations averaged per check
  int64_t patience = 3;      // windows without improvement before stopping
  double min_delta = 1e-3;   // relative improvement of the window mean that counts
};

struct ReconOptions {
  std::string pass = "recon";          // name used in logs ("weights", "acts", ...)
  GranularityOptions granularity;      // block
  std::vector<std::string> skip;       // group names left at nearest rounding; "stem" = the first unit (BRECQ)
  int64_t iters = 20000;               // per group
  int64_t batch_size = 32;
  std::string sampling = "with_replacement";  // QDrop randint | without_replacement (BRECQ randperm[:B]) |
                                              //   epochs (MetaAug: B-row slices of one permutation per pass)

  std::string rounding = "adaround";   // adaround | nearest (weights stay as calibrated)
  AdaRoundOptions adaround;
  bool inline_adam = true;             // implementation, not protocol: Adam on V folded into the fused CPU
                                       //   forward pass (adaround_fused.h; bit-identical to a separate step)

  bool quantize_activations = true;    // activation quantisers on during this pass
  std::string act_init = "none";       // none (calibrated before the pass) | per_group (QDrop master, PD-Quant:
                                       //   on the group's first act_init_samples cached quantised inputs)
  int64_t act_init_samples = 256;
  bool learn_act_scale = false;        // LSQ step sizes of the group's activation quantisers
  double act_lr = 4e-5;
  std::string act_lr_schedule = "cosine";  // cosine | constant
  bool learn_weight_scale = false;     // MetaAug; implies adaround.fixed_floor
  double weight_scale_lr = 1e-4;
  std::string weight_scale_lr_schedule = "constant";  // constant | cosine (MetaAug's opt_scale, its preset)

  InputPolicyOptions input;            // quant
  double act_keep_prob = 1.0;          // QDrop's in-group activation dropping (0.5); 1 = off
  LossOptions loss;                    // lp, p = 2
  EarlyStopOptions early_stop;

  CacheOptions cache;
  int64_t forward_batch = 64;          // batch of the no-grad passes that fill the cache
  int64_t log_every = 500;             // loss terms into the log every N iterations
  bool verify = true;                  // after each group: hard-rounded weights on the grid, outputs unchanged
  bool progress = true;                // progress bar per group on stderr

  void validate() const;
};

}  // namespace ptq
