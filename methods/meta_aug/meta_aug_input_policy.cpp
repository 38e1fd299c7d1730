#include "methods/meta_aug/meta_aug_input_policy.h"

#include "framework/core/check.h"
#include "framework/recon/quantizer_states.h"

namespace ptq::methods {
namespace {

const char* const kEntries[] = {"fp_in", "q_in", "fp_out"};

std::string calib_name(const std::string& name) { return name + "_calib"; }

}  // namespace

MetaAugInputPolicy::MetaAugInputPolicy(std::shared_ptr<MetaAugState> state, double keep_prob)
    : state_(std::move(state)) {
  state_->meta.validate();
  InputPolicyOptions o;
  o.kind = "drop";
  o.keep_prob = keep_prob;
  mix_ = make_input_policy(o);
}

void MetaAugInputPolicy::prepare(GroupContext& g) {
  PTQ_CHECK(!g.group.is_layer(),
            "MetaAug needs block (or coarser) granularity: group '{}' is a single layer, and its meta stage runs the "
            "network from unit boundaries; set method.granularity: block",
            g.group.name);
  PTQ_CHECK(g.rows == state_->images.size(0),
            "MetaAug: the cache holds {} rows but the method was given {} calibration images", g.rows,
            state_->images.size(0));
  // Without the augmentation T is never used, so neither is its meta stage.
  auto rep = state_->augment ? run_meta_stage(g.model, g.group, state_->recon, *state_->trainer, state_->images,
                                              state_->fp_logits, state_->meta)
                             : nlohmann::json{{"group", g.group.name}, {"skipped", true}};
  calibration_rows_ = g.rows;
  if (state_->augment) {
    augment(g);
    rep["rows"] = g.rows;
  }
  state_->reports.push_back(rep);
  mix_->prepare(g);
}

void MetaAugInputPolicy::augment(GroupContext& g) {
  auto& model = g.model;
  const auto& grp = g.group;
  const int64_t n = g.rows, fb = g.forward_batch;
  auto transformed = transform_images(state_->trainer->net, state_->images, fb);
  for (const std::string name : kEntries) {
    const auto row = g.cache.slice(name, 0, 1);
    g.cache.create(name + "_aug", 2 * n, row.sizes().slice(1));
    for (int64_t b = 0; b < n; b += fb) g.cache.write(name + "_aug", b, g.cache.slice(name, b, std::min(fb, n - b)));
  }
  torch::NoGradGuard no_grad;
  for (int64_t b = 0; b < n; b += fb) {
    const auto xt = transformed.narrow(0, b, std::min(fb, n - b));
    torch::Tensor fp_in, fp_out;
    {
      QuantizerStateGuard fp(model.quantizers(), QuantizerState::Off);
      fp_in = model.forward_units(xt, 0, grp.unit_begin);
      fp_out = model.forward_units(fp_in, grp.unit_begin, grp.unit_end);
    }
    g.cache.write("fp_in_aug", n + b, fp_in);
    g.cache.write("fp_out_aug", n + b, fp_out);
    g.cache.write("q_in_aug", n + b, model.forward_units(xt, 0, grp.unit_begin));
  }
  for (const std::string name : kEntries) {
    g.cache.rename(name, calib_name(name));
    g.cache.rename(name + "_aug", name);
  }
  g.rows = 2 * n;
  augmented_ = true;
}

torch::Tensor MetaAugInputPolicy::batch(GroupContext& g, const torch::Tensor& indices) { return mix_->batch(g, indices); }

void MetaAugInputPolicy::finish(GroupContext& g) {
  if (!augmented_) return;
  for (const std::string name : kEntries) {
    g.cache.release(name);
    g.cache.rename(calib_name(name), name);
  }
  g.rows = calibration_rows_;
  augmented_ = false;
}

}  // namespace ptq::methods
