#include "methods/meta_aug/meta_aug_method.h"

#include "framework/core/check.h"
#include "framework/core/logging.h"
#include "framework/method/recon_pass.h"
#include "framework/recon/quantizer_states.h"
#include "framework/recon/recon_config.h"
#include "methods/meta_aug/meta_aug_input_policy.h"
#include "methods/qdrop/qdrop_method.h"

namespace ptq::methods {

using config::DoubleRange;
using config::IntRange;

ReconOptions MetaAugMethod::recon_preset(const std::string& protocol, double p) {
  ReconOptions o = QdropMethod::preset(p);
  o.pass = "meta_aug";
  if (protocol == "qdrop") return o;
  // The official code's final reconstruction (reconstruct_block.py).
  o.iters = 20000;
  o.batch_size = 64;             // randperm(2048).view(32, -1)
  o.sampling = "epochs";
  o.adaround.lambda = 1.0;
  o.adaround.lr = 1e-3;
  o.learn_weight_scale = true;   // opt_scale: w_scale lr 1e-4, cosine (T_max = iterations)
  o.weight_scale_lr = 1e-4;
  o.weight_scale_lr_schedule = "cosine";
  o.learn_act_scale = true;      // a_scale lr 4e-5, cosine
  o.act_lr = 4e-5;
  o.act_lr_schedule = "cosine";
  o.act_init = "per_group";      // ranges from the first batch each quantiser sees
  o.act_init_samples = 32;
  return o;
}

void MetaAugMethod::apply(MethodContext& ctx) {
  const auto& o = options_;
  const auto& r = o.recon;
  auto& model = ctx.model;
  calibrate_weights(model);
  if (r.quantize_activations && r.act_init == "none") calibrate_activations(model, ctx.calibration, ctx.calibration_options);

  auto state = std::make_shared<MetaAugState>();
  state->images = ctx.calibration;
  state->meta = o.meta;
  state->recon = r;
  state->augment = o.augment;
  {
    torch::NoGradGuard no_grad;
    QuantizerStateGuard fp(model.quantizers(), QuantizerState::Off);
    std::vector<torch::Tensor> logits;
    for (int64_t b = 0; b < ctx.calibration.size(0); b += r.forward_batch)
      logits.push_back(model.forward(ctx.calibration.narrow(0, b, std::min(r.forward_batch, ctx.calibration.size(0) - b))));
    state->fp_logits = torch::cat(logits, 0);
  }
  // T: seeded from the run's seed, then warmed up towards the identity.
  torch::manual_seed(ctx.seed);
  auto to = o.transform;
  to.channels = ctx.calibration.size(1);
  TransformNet net(to);
  const double warm_mse = warm_up_identity(net, ctx.calibration, o.warmup);
  log_info("meta_aug: transformation net ({} levels, {} base channels) warmed up towards the identity: "
           "{} steps, MSE {:.4g}", to.depth, to.base_channels, o.warmup.iters, warm_mse);
  state->trainer = std::make_unique<MetaTrainer>(net, o.meta);

  Reconstructor recon(model, r);
  recon.set_input_policy(std::make_shared<MetaAugInputPolicy>(state, r.input.keep_prob));
  run_recon_pass(ctx, recon);
  ctx.details["meta_aug"] = {{"protocol", o.protocol},
                             {"warmup_mse", warm_mse},
                             {"transform_parameters", [&] {
                                int64_t k = 0;
                                for (const auto& p : net->parameters()) k += p.numel();
                                return k;
                              }()},
                             {"groups", state->reports}};
}

std::unique_ptr<Method> MetaAugMethod::from_config(const config::Section& s) {
  MetaAugOptions o;
  o.protocol = s.get_choice("protocol", o.protocol, {"meta_aug", "qdrop"});
  for (const char* key : {"input", "loss"})
    PTQ_CHECK(!s.has(key),
              "method.{}: meta_aug builds its own block input (QDrop's mix over the original and transformed "
              "images) and loss (the code's feature MSE); remove method.{} ({}); its knobs are drop_prob, augment, "
              "meta.* and transform.*",
              key, key, s.source_of(key));
  o.drop_prob = s.get_double("drop_prob", o.drop_prob, DoubleRange{0.0, 1.0});
  o.recon = recon_options_from_config(s, recon_preset(o.protocol, o.drop_prob));
  o.augment = s.get_bool("augment", o.augment);

  const auto m = s.section("meta");
  auto& mo = o.meta;
  mo.enabled = m.get_bool("enabled", mo.enabled);
  mo.iters = m.get_int("iters", mo.iters, IntRange::at_least(0));
  mo.whole_epochs = m.get_bool("whole_epochs", mo.whole_epochs);
  mo.batch = m.get_int("batch", mo.batch, IntRange::at_least(1));
  mo.val_batch = m.get_int("val_batch", mo.val_batch, IntRange::at_least(1));
  mo.inner_optimizer = m.get_choice("inner_optimizer", mo.inner_optimizer, {"adam", "sgd"});
  mo.inner_eps = m.get_double("inner_eps", mo.inner_eps, DoubleRange::greater_than(0.0));
  mo.alpha = m.get_double("alpha", mo.alpha, DoubleRange::at_least(0.0));
  mo.beta = m.get_double("beta", mo.beta, DoubleRange::at_least(0.0));
  mo.gamma = m.get_double("gamma", mo.gamma, DoubleRange::at_least(0.0));
  mo.tau = m.get_double("tau", mo.tau, DoubleRange::at_least(0.0));
  mo.temperature = m.get_double("temperature", mo.temperature, DoubleRange::greater_than(0.0));
  mo.mixup_alpha = m.get_double("mixup_alpha", mo.mixup_alpha, DoubleRange::greater_than(0.0));
  mo.lr = m.get_double("lr", mo.lr, DoubleRange::greater_than(0.0));
  mo.clip_norm = m.get_double("clip_norm", mo.clip_norm, DoubleRange::greater_than(0.0));
  mo.patience = m.get_int("patience", mo.patience, IntRange::at_least(0));
  mo.factor = m.get_double("factor", mo.factor, DoubleRange{1e-6, 1.0});
  mo.skip = m.get_string_list("skip", mo.skip);
  mo.progress = o.recon.progress;
  mo.validate();

  const auto t = s.section("transform");
  o.transform.base_channels = t.get_int("base_channels", o.transform.base_channels, IntRange{1, 1024});
  o.transform.depth = t.get_int("depth", o.transform.depth, IntRange{0, 6});
  const auto w = t.section("warmup");
  o.warmup.iters = w.get_int("iters", o.warmup.iters, IntRange::at_least(0));
  o.warmup.lr = w.get_double("lr", o.warmup.lr, DoubleRange::greater_than(0.0));
  o.warmup.batch = w.get_int("batch", o.warmup.batch, IntRange::at_least(1));
  return std::make_unique<MetaAugMethod>(o);
}

}  // namespace ptq::methods
