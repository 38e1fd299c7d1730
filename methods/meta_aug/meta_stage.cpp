#include "methods/meta_aug/meta_stage.h"

#include "framework/core/check.h"
#include "framework/core/on_exit.h"
#include "framework/core/progress.h"
#include "framework/recon/loss.h"
#include "framework/recon/network_tail.h"
#include "framework/recon/quantizer_states.h"
#include "framework/recon/row_sampler.h"
#include "methods/meta_aug/meta_objective.h"

#include <array>
#include <chrono>
#include <cmath>

namespace ptq::methods {
namespace {

// θ̄ in place of θ in the group's AdaRound policies and quantisers while alive.
class ThetaOverride {
 public:
  ThetaOverride(GroupLearnedParams& p, const std::vector<torch::Tensor>& v, const std::vector<torch::Tensor>& ws,
                const std::vector<torch::Tensor>& as)
      : p_(p) {
    for (size_t i = 0; i < v.size(); ++i) p.rounding()[i].rounding->set_v_override(v[i]);
    for (size_t i = 0; i < ws.size(); ++i) {
      auto q = p.weight_scale_owners()[i];
      q->set_scale_override(ws[i]);
    }
    for (size_t i = 0; i < as.size(); ++i) {
      auto q = p.act_scale_owners()[i];
      q->set_scale_override(as[i]);
    }
  }
  ~ThetaOverride() {
    for (auto& r : p_.rounding()) r.rounding->set_v_override({});
    for (auto q : p_.weight_scale_owners()) q->set_scale_override({});
    for (auto q : p_.act_scale_owners()) q->set_scale_override({});
  }
  ThetaOverride(const ThetaOverride&) = delete;
  ThetaOverride& operator=(const ThetaOverride&) = delete;

 private:
  GroupLearnedParams& p_;
};

}  // namespace

void MetaOptions::validate() const {
  PTQ_CHECK(iters >= 0, "meta.iters: expected a number >= 0, got {}", iters);
  PTQ_CHECK(batch >= 1 && val_batch >= 1, "meta.batch and meta.val_batch must be >= 1 (got {}, {})", batch, val_batch);
  PTQ_CHECK(inner_optimizer == "adam" || inner_optimizer == "sgd",
            "meta.inner_optimizer: expected adam or sgd, got \"{}\"", inner_optimizer);
  PTQ_CHECK(inner_eps > 0.0, "meta.inner_eps: expected a number > 0, got {}", inner_eps);
  PTQ_CHECK(alpha >= 0.0 && beta >= 0.0 && gamma >= 0.0, "meta.alpha, meta.beta and meta.gamma must be >= 0");
  PTQ_CHECK(tau >= 0.0, "meta.tau: expected a number >= 0, got {}", tau);
  PTQ_CHECK(temperature > 0.0 && mixup_alpha > 0.0, "meta.temperature and meta.mixup_alpha must be > 0");
  PTQ_CHECK(lr > 0.0 && clip_norm > 0.0, "meta.lr and meta.clip_norm must be > 0 (got {}, {})", lr, clip_norm);
  PTQ_CHECK(patience >= 0 && factor > 0.0 && factor <= 1.0,
            "meta.patience must be >= 0 and meta.factor in (0, 1] (got {}, {})", patience, factor);
}

MetaTerms meta_objective(MetaProblem& p, const torch::Tensor& x, const torch::Tensor& x_val,
                         const torch::Tensor& logits_val, int64_t t, int64_t steps) {
  auto& model = p.model;
  const auto& g = p.group;
  const auto& r = p.recon;
  const auto& o = p.options;
  MetaTerms out;
  auto xt = p.net->forward(x);

  // Inner loss on the transformed batch.
  auto q_in = model.forward_units(xt, 0, g.unit_begin);
  torch::Tensor target;
  {
    QuantizerStateGuard fp(model.quantizers(), QuantizerState::Off);
    target = model.forward_units(model.forward_units(xt, 0, g.unit_begin), g.unit_begin, g.unit_end);
  }
  auto inner = lp_reconstruction_loss(model.forward_units(q_in, g.unit_begin, g.unit_end), target, 2.0);
  if (r.rounding == "adaround" && r.adaround.lambda > 0.0 && adaround_regularizer_active(t, steps, r.adaround)) {
    const double beta = adaround_beta(t, steps, r.adaround);
    for (auto& lr : p.params.rounding()) inner = inner + r.adaround.lambda * lr.rounding->regularizer(beta);
  }
  out.inner = inner.item<double>();

  // One differentiable optimiser step: θ̄(T).
  std::vector<torch::Tensor> theta;
  std::vector<double> lrs;
  for (const auto& v : p.params.v()) theta.push_back(v), lrs.push_back(r.adaround.lr);
  for (const auto& s : p.params.weight_scales()) theta.push_back(s), lrs.push_back(r.weight_scale_lr);
  for (const auto& s : p.params.act_scales()) theta.push_back(s), lrs.push_back(r.act_lr);
  PTQ_CHECK(!theta.empty(), "MetaAug's meta stage of group '{}' has nothing to learn (no AdaRound, no learned scales)",
            g.name);
  auto grads = torch::autograd::grad({inner}, theta, {}, /*retain_graph=*/true, /*create_graph=*/true,
                                     /*allow_unused=*/true);
  std::vector<torch::Tensor> updated(theta.size());
  for (size_t i = 0; i < theta.size(); ++i) {
    if (!grads[i].defined()) {
      updated[i] = theta[i];
      continue;
    }
    auto step = o.inner_optimizer == "adam" ? grads[i] / (grads[i].abs() + o.inner_eps) : grads[i];
    updated[i] = theta[i] - lrs[i] * step;
  }
  const size_t nv = p.params.v().size(), nw = p.params.weight_scales().size();
  const std::vector<torch::Tensor> v_bar(updated.begin(), updated.begin() + static_cast<std::ptrdiff_t>(nv));
  const std::vector<torch::Tensor> w_bar(updated.begin() + static_cast<std::ptrdiff_t>(nv),
                                         updated.begin() + static_cast<std::ptrdiff_t>(nv + nw));
  const std::vector<torch::Tensor> a_bar(updated.begin() + static_cast<std::ptrdiff_t>(nv + nw), updated.end());

  // Outer objective on original images with θ̄.
  torch::Tensor z_q;
  {
    ThetaOverride use_bar(p.params, v_bar, w_bar, a_bar);
    z_q = tail_logits(model, g,
                      model.forward_units(model.forward_units(x_val, 0, g.unit_begin), g.unit_begin, g.unit_end));
  }
  auto kl = prediction_kl(logits_val, z_q, o.temperature);
  auto margin = margin_loss(xt, x, o.tau);
  auto phi_t = penultimate_features(model, mixup(xt, o.mixup_alpha));
  torch::Tensor phi_x;
  {
    torch::NoGradGuard no_grad;
    phi_x = penultimate_features(model, mixup(x, o.mixup_alpha));
  }
  auto pkt = pkt_loss(phi_t, phi_x);
  out.kl = kl.item<double>();
  out.margin = margin.item<double>();
  out.pkt = pkt.item<double>();
  out.total = o.alpha * kl + o.beta * margin + o.gamma * pkt;
  out.theta_bar = std::move(updated);
  return out;
}

MetaTrainer::MetaTrainer(TransformNet n, const MetaOptions& o) : net(std::move(n)) {
  adam = std::make_unique<torch::optim::Adam>(net->parameters(), torch::optim::AdamOptions(o.lr));
  plateau = std::make_unique<PlateauLr>(o.lr, o.patience, o.factor);
}

nlohmann::json run_meta_stage(QuantModelImpl& model, const ReconGroup& g, const ReconOptions& recon,
                              MetaTrainer& trainer, const torch::Tensor& images, const torch::Tensor& fp_logits,
                              const MetaOptions& o) {
  nlohmann::json rep = {{"group", g.name}};
  if (!o.enabled || o.iters == 0 || group_in_list(g, o.skip)) {
    rep["skipped"] = true;
    return rep;
  }
  const auto t0 = std::chrono::steady_clock::now();
  const int64_t n = images.size(0);
  int64_t steps = o.iters;
  if (o.whole_epochs) {
    const int64_t per_epoch = n / std::min(o.batch, n);
    steps = (steps + per_epoch - 1) / per_epoch * per_epoch;
  }
  NoWeightGrad frozen(model);  // θ is switched on by GroupLearnedParams
  GroupLearnedParams params(model, g, recon, /*inline_adam=*/false);
  auto t_params = trainer.net->parameters();
  // The meta stage's AdaRound policies are discarded (the group starts its reconstruction from
  // nearest rounding as every other group does) and T's gradients cleared, also on a throw.
  OnExit discard([&] {
    for (auto& lr : params.rounding()) lr.layer.layer->weight_quantizer->set_rounding(nullptr);
    for (const auto& p : t_params) p.mutable_grad() = torch::Tensor();
  });
  if (params.empty()) {
    rep["skipped"] = true;  // nothing the inner step could update
    return rep;
  }
  MetaProblem problem{model, g, recon, params, trainer.net, o};
  RowSampler inner_rows("epochs", o.batch), val_rows("epochs", o.val_batch);
  trainer.net->train();

  ProgressBar bar(fmt::format("meta {}", g.name), steps, o.progress);
  // Every term per step; the report gives the means over the first and the last window.
  std::vector<std::array<double, 5>> history;
  double last_total = 0.0;
  for (int64_t t = 1; t <= steps; ++t) {
    auto idx = inner_rows.next(n), vidx = val_rows.next(n);
    auto terms = meta_objective(problem, images.index_select(0, idx), images.index_select(0, vidx),
                                fp_logits.index_select(0, vidx), t, steps);
    const double value = terms.total.item<double>();
    PTQ_CHECK(std::isfinite(value),
              "MetaAug's meta stage of group '{}' diverged at step {} of {}: L_val is {} (last finite {:.6g}; inner "
              "loss {:.6g}); lower meta.lr or meta.gamma. Results written before this group are kept.",
              g.name, t, steps, value, last_total, terms.inner);
    last_total = value;
    auto grads = torch::autograd::grad({terms.total}, t_params, {}, /*retain_graph=*/false, /*create_graph=*/false,
                                       /*allow_unused=*/true);
    double sq = 0.0;
    for (const auto& gr : grads)
      if (gr.defined()) sq += gr.pow(2).sum().item<double>();
    const double norm = std::sqrt(sq), clip = o.clip_norm / (norm + 1e-6);
    for (size_t i = 0; i < t_params.size(); ++i) {
      auto gr = grads[i].defined() ? grads[i] : torch::zeros_like(t_params[i]);
      t_params[i].mutable_grad() = clip < 1.0 ? gr * clip : gr;
    }
    trainer.adam->step();
    const double lr = trainer.plateau->step(value);
    for (auto& group : trainer.adam->param_groups()) static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);

    history.push_back({value, terms.inner, terms.kl, terms.margin, terms.pkt});
    if (t % std::max<int64_t>(1, steps / 100) == 0 || t == steps)
      bar.update(t, fmt::format("L_val {:.4g} (kl {:.3g}, margin {:.3g}, pkt {:.3g})", value, terms.kl, terms.margin,
                                terms.pkt));
  }
  const int64_t window = std::max<int64_t>(1, std::min<int64_t>(100, steps / 10));
  auto window_mean = [&](int64_t begin) {
    std::array<double, 5> sum{};
    for (int64_t i = begin; i < begin + window; ++i)
      for (size_t k = 0; k < sum.size(); ++k) sum[k] += history[static_cast<size_t>(i)][k];
    const double n = static_cast<double>(window);
    return nlohmann::json{{"total", sum[0] / n}, {"inner", sum[1] / n}, {"kl", sum[2] / n}, {"margin", sum[3] / n},
                          {"pkt", sum[4] / n}};
  };
  rep["window"] = window;
  rep["first"] = window_mean(0);
  rep["last"] = window_mean(steps - window);
  rep["steps"] = steps;
  rep["lr_T"] = trainer.plateau->lr();
  rep["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  bar.finish(fmt::format("{} steps, L_val {:.4g}", steps, last_total));
  return rep;
}

}  // namespace ptq::methods
