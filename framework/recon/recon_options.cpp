#include "framework/recon/recon_options.h"

#include "framework/core/check.h"

namespace ptq {

void ReconOptions::validate() const {
  PTQ_CHECK(iters >= 0, "{}: iters must be >= 0, got {}", pass, iters);
  PTQ_CHECK(batch_size > 0 && forward_batch > 0, "{}: batch_size and forward_batch must be positive", pass);
  PTQ_CHECK(sampling == "with_replacement" || sampling == "without_replacement" || sampling == "epochs",
            "{}: sampling: expected with_replacement, without_replacement or epochs, got \"{}\"", pass, sampling);
  PTQ_CHECK(rounding == "adaround" || rounding == "nearest", "{}: rounding: expected adaround or nearest, got \"{}\"",
            pass, rounding);
  adaround.validate(pass + ".adaround");
  PTQ_CHECK(act_init == "none" || act_init == "per_group", "{}: act_init: expected none or per_group, got \"{}\"", pass,
            act_init);
  PTQ_CHECK(act_init != "per_group" || granularity.kind != "layer",
            "{}: act_init per_group needs block (or coarser) granularity, so block-level activation quantisers are "
            "calibrated too; calibrate activations before a layer-wise pass instead",
            pass);
  PTQ_CHECK(act_init_samples > 0, "{}: act_init_samples must be positive", pass);
  PTQ_CHECK(act_lr > 0.0 && weight_scale_lr > 0.0, "{}: act_lr and weight_scale_lr must be positive", pass);
  PTQ_CHECK(act_lr_schedule == "cosine" || act_lr_schedule == "constant",
            "{}: act_lr_schedule: expected cosine or constant, got \"{}\"", pass, act_lr_schedule);
  PTQ_CHECK(weight_scale_lr_schedule == "cosine" || weight_scale_lr_schedule == "constant",
            "{}: weight_scale_lr_schedule: expected cosine or constant, got \"{}\"", pass, weight_scale_lr_schedule);
  PTQ_CHECK(act_keep_prob >= 0.0 && act_keep_prob <= 1.0, "{}: act_keep_prob must lie in [0, 1], got {}", pass,
            act_keep_prob);
  PTQ_CHECK(!early_stop.enabled || (early_stop.window > 0 && early_stop.patience > 0 && early_stop.min_delta >= 0.0),
            "{}: early_stop needs window > 0, patience > 0 and min_delta >= 0", pass);
  PTQ_CHECK(log_every >= 0, "{}: log_every must be >= 0", pass);
}

}  // namespace ptq
