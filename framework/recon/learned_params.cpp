#include "framework/recon/learned_params.h"

#include "framework/quant/grouping.h"

namespace ptq {

GroupLearnedParams::GroupLearnedParams(QuantModelImpl& model, const ReconGroup& g, const ReconOptions& o,
                                       bool inline_adam)
    : layers_(group_layers(model, g)) {
  if (o.quantize_activations) acts_ = group_act_quantizers(model, g);
  // Float weights and biases are constants here (AdaRound reads ⌊W/s⌋ detached).
  for (const auto& e : layers_)
    for (auto t : {e.layer->weight, e.layer->bias})
      if (t.defined()) {
        frozen_.emplace_back(t, t.requires_grad());
        t.set_requires_grad(false);
      }
  auto quantised = [](const LayerEntry& e) {
    auto wq = e.layer->weight_quantizer;
    return wq->configured() && wq->state() == QuantizerState::Quantize;
  };
  if (o.rounding == "adaround")
    for (const auto& e : layers_) {
      if (!quantised(e)) continue;
      auto wq = e.layer->weight_quantizer;
      auto opts = o.adaround;
      opts.fixed_floor = opts.fixed_floor || o.learn_weight_scale;
      const auto layout = group_layout(wq->options().spec, e.layer->weight.sizes());
      auto r = std::make_shared<AdaRound>(to_groups(e.layer->weight.detach(), layout), wq->scale(), wq->options().spec,
                                          opts);
      wq->set_rounding(r);
      rounding_.push_back({e, r});
      if (inline_adam && !o.learn_weight_scale && r->inline_adam_supported()) r->use_inline_adam();
      else
        for (auto& t : r->parameters()) v_.push_back(t);
    }
  if (o.learn_weight_scale)
    for (const auto& e : layers_)
      if (quantised(e)) {
        torch::Tensor s = e.layer->weight_quantizer->scale();
        s.set_requires_grad(true);
        weight_scales_.push_back(s);
        weight_scale_owners_.push_back(e.layer->weight_quantizer);
      }
  if (o.learn_act_scale)
    for (const auto& q : acts_)
      if (q->state() == QuantizerState::Quantize && !q->options().spec.dynamic) {
        torch::Tensor s = q->scale();
        s.set_requires_grad(true);
        act_scales_.push_back(s);
        act_scale_owners_.push_back(q);
      }
}

GroupLearnedParams::~GroupLearnedParams() {
  for (auto& [t, requires_grad] : frozen_) t.set_requires_grad(requires_grad);
  stop_learning();
  for (const auto& lr : rounding_) lr.rounding->set_regularizer_beta(0.0);
}

void GroupLearnedParams::stop_learning() {
  for (auto& s : act_scales_) s.set_requires_grad(false);
  for (auto& s : weight_scales_) s.set_requires_grad(false);
}

torch::Tensor GroupLearnedParams::take_regularizer(double beta, double lambda) {
  torch::Tensor reg;
  for (const auto& lr : rounding_) {
    auto r = lr.rounding->take_regularizer(beta);
    reg = reg.defined() ? reg + r : r;
  }
  return reg.defined() ? reg * lambda : reg;
}

void GroupLearnedParams::harden() {
  for (auto& lr : rounding_) lr.layer.layer->weight_quantizer->set_rounding(lr.rounding->hardened());
}

}  // namespace ptq
