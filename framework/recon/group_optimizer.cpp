#include "framework/recon/group_optimizer.h"

#include "framework/core/check.h"
#include "framework/core/on_exit.h"
#include "framework/core/progress.h"
#include "framework/quant/fake_quant.h"
#include "framework/quant/grouping.h"
#include "framework/recon/adaround.h"
#include "framework/recon/fused_adam.h"
#include "framework/recon/learned_params.h"
#include "framework/recon/row_sampler.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>

namespace ptq {

void verify_weights_on_grid(const std::vector<LayerEntry>& layers) {
  torch::NoGradGuard no_grad;
  for (const auto& e : layers) {
    auto wq = e.layer->weight_quantizer;
    if (!wq->configured() || wq->state() != QuantizerState::Quantize) continue;
    const auto& spec = wq->options().spec;
    if (spec.format != NumberFormat::Int) continue;
    const auto w = e.layer->effective_weight();
    const auto layout = group_layout(spec, w.sizes());
    auto codes = to_groups(w, layout) / wq->scale().unsqueeze(-1) + wq->zero_point().unsqueeze(-1);
    auto valid = ~torch::isnan(codes);
    auto q = torch::round(codes);
    auto off_grid = ((codes - q).abs() > 1e-3) | (q < static_cast<double>(spec.qmin())) |
                    (q > static_cast<double>(spec.qmax()));
    const auto bad = (off_grid & valid).sum().item<int64_t>();
    PTQ_INTERNAL_ASSERT(bad == 0, "layer {}: {} quantised weights are off the {} grid after reconstruction", e.name,
                        bad, spec.to_string());
    // What a packed format stores (integer codes by nearest rounding) decodes to the same weights.
    PTQ_INTERNAL_ASSERT(torch::equal(fake_quant(w, wq->scale(), wq->zero_point(), spec), w),
                        "layer {}: the quantised weights do not survive packing to integer codes", e.name);
  }
}

GroupReport optimize_group(GroupContext& ctx, const ReconOptions& o, InputPolicy& input,
                           const std::vector<std::shared_ptr<ReconLoss>>& losses, std::ostream* log) {
  const auto& g = ctx.group;
  GroupReport rep;
  rep.pass = o.pass;
  rep.name = g.name;
  const auto layers = group_layers(ctx.model, g);
  const auto acts = o.quantize_activations ? group_act_quantizers(ctx.model, g) : std::vector<Quantizer>{};
  const auto t0 = std::chrono::steady_clock::now();

  const std::string probe_input = ctx.cache.has("q_in") ? "q_in" : "fp_in";
  // In batches of forward_batch rows: one 256-row forward of a 224² stem alone needs ~3 GiB.
  auto probe_mse = [&] {
    torch::NoGradGuard no_grad;
    const int64_t k = std::min<int64_t>(ctx.rows, 256), fb = std::max<int64_t>(1, o.forward_batch);
    double sum = 0.0;
    for (int64_t i = 0; i < k; i += fb) {
      const int64_t n = std::min(fb, k - i);
      sum += lp_reconstruction_loss(ctx.forward(ctx.cache.slice(probe_input, i, n)), ctx.cache.slice("fp_out", i, n), 2.0)
                 .item<double>() *
             static_cast<double>(n);
    }
    return sum / static_cast<double>(k);
  };
  rep.loss_before = probe_mse();
  for (const auto& loss : losses) loss->prepare(ctx);
  input.prepare(ctx);

  GroupLearnedParams params(ctx.model, g, o, o.inline_adam);
  auto& learned = params.rounding();
  const auto& v_params = params.v();
  const auto& act_scales = params.act_scales();
  const auto& weight_scales = params.weight_scales();
  for (auto q : acts) q->set_keep_prob(o.act_keep_prob);
  // After the loop, or when it throws: no dropping, no regulariser, the scales constants again
  // (the probe below must see the quantisers as evaluation does), the policy's rows restored.
  auto restore_state = [&] {
    for (auto q : acts) q->set_keep_prob(1.0);
    for (const auto& lr : learned) lr.rounding->set_regularizer_beta(0.0);
    params.stop_learning();
    input.finish(ctx);
  };
  OnExit restore(restore_state);

  std::vector<std::unique_ptr<FusedAdam>> opts;
  if (!v_params.empty()) opts.push_back(std::make_unique<FusedAdam>(v_params, o.adaround.lr));
  FusedAdam* act_opt = nullptr;
  if (!act_scales.empty()) {
    opts.push_back(std::make_unique<FusedAdam>(act_scales, o.act_lr));
    act_opt = opts.back().get();
  }
  FusedAdam* weight_scale_opt = nullptr;
  if (!weight_scales.empty()) {
    opts.push_back(std::make_unique<FusedAdam>(weight_scales, o.weight_scale_lr));
    weight_scale_opt = opts.back().get();
  }

  const int64_t iters = params.empty() ? 0 : o.iters;
  RowSampler sampler(o.sampling, o.batch_size);
  ProgressBar bar(fmt::format("{} {}", o.pass, g.name), std::max<int64_t>(iters, 1), o.progress && iters > 0);
  // first_loss / final_loss: means over the first and last report windows (a tenth of the
  // run, at most 500 iterations); early stopping compares means over its own windows.
  const int64_t report_window = std::max<int64_t>(1, std::min<int64_t>(500, iters / 10));
  double report_sum = 0.0, stop_sum = 0.0, best_window = std::numeric_limits<double>::infinity(), last_loss = 0.0;
  int64_t report_n = 0, stop_n = 0, bad_windows = 0;
  bool first_window = true;
  const auto t_loop = std::chrono::steady_clock::now();
  auto t_first = t_loop;  // end of the first iteration
  for (int64_t t = 0; t < iters; ++t) {
    if (t == 1) t_first = std::chrono::steady_clock::now();
    auto idx = sampler.next(ctx.rows);
    auto x = input.batch(ctx, idx);
    auto target = ctx.cache.gather("fp_out", idx);
    const bool regularize =
        !learned.empty() && o.adaround.lambda > 0.0 && adaround_regularizer_active(t + 1, iters, o.adaround);
    const double beta = regularize ? adaround_beta(t + 1, iters, o.adaround) : 0.0;
    for (const auto& lr : learned) lr.rounding->set_regularizer_beta(beta);  // fused into the forward pass
    auto y = ctx.forward(x);
    LossTerms terms;
    torch::Tensor total;
    for (const auto& loss : losses) {
      auto l = loss->compute(LossBatch{y, target, idx, ctx}, terms);
      total = total.defined() ? total + l : l;
    }
    double rec = 0.0;
    for (const auto& kv : terms) rec += kv.second;
    if (regularize) {
      auto reg = params.take_regularizer(beta, o.adaround.lambda);
      terms["round"] = reg.item<double>();
      total = total + reg;
    }
    const double value = total.item<double>();
    PTQ_CHECK(std::isfinite(value),
              "reconstruction of group '{}' ({} pass) diverged at iteration {} of {}: the loss is {} (last finite "
              "loss {:.6g}); lower the learning rates (adaround.lr, act_lr, weight_scale_lr) or check the "
              "calibration data and the quantiser ranges. Results written before this group are kept.",
              g.name, o.pass, t + 1, iters, value, last_loss);
    last_loss = value;
    for (auto& opt : opts) opt->zero_grad();
    total.backward();
    for (auto& opt : opts) opt->step();
    for (const auto& lr : learned) lr.rounding->inline_adam_step(o.adaround.lr);
    if (act_opt && o.act_lr_schedule == "cosine") act_opt->set_lr(cosine_lr(o.act_lr, t + 1, iters));
    if (weight_scale_opt && o.weight_scale_lr_schedule == "cosine")
      weight_scale_opt->set_lr(cosine_lr(o.weight_scale_lr, t + 1, iters));
    if (!act_scales.empty() || !weight_scales.empty()) {
      torch::NoGradGuard no_grad;
      for (auto s : act_scales) s.clamp_min_(1e-8);
      for (auto s : weight_scales) s.clamp_min_(1e-8);
    }

    report_sum += rec;
    stop_sum += rec;
    ++report_n;
    ++stop_n;
    const bool log_now = o.log_every > 0 && ((t + 1) % o.log_every == 0 || t + 1 == iters);
    if (log && log_now) {
      nlohmann::json line = {{"pass", o.pass}, {"group", g.name}, {"iter", t + 1}, {"loss", terms}};
      if (beta > 0.0) line["beta"] = beta;
      if (act_opt) line["act_lr"] = cosine_lr(o.act_lr, t + 1, iters);
      *log << line.dump() << "\n" << std::flush;
    }
    if (report_n == report_window || t + 1 == iters) {
      const double mean = report_sum / static_cast<double>(report_n);
      if (first_window) rep.first_loss = mean, first_window = false;
      rep.final_loss = mean;
      report_sum = 0.0;
      report_n = 0;
    }
    if (o.early_stop.enabled && stop_n == o.early_stop.window) {
      const double mean = stop_sum / static_cast<double>(stop_n);
      if (mean < best_window * (1.0 - o.early_stop.min_delta)) {
        best_window = mean;
        bad_windows = 0;
      } else if (++bad_windows >= o.early_stop.patience) {
        rep.early_stopped = true;
        rep.final_loss = mean;
      }
      stop_sum = 0.0;
      stop_n = 0;
    }
    rep.iters = t + 1;
    if ((t + 1) % std::max<int64_t>(1, iters / 100) == 0 || t + 1 == iters)
      bar.update(t + 1, fmt::format("loss {:.4g}", rec));
    if (rep.early_stopped) break;
  }
  for (const auto& lr : learned) lr.rounding->flush_update();  // the last inline-Adam update
  const auto t_end = std::chrono::steady_clock::now();
  rep.loop_seconds = std::chrono::duration<double>(t_end - t_loop).count();
  if (rep.iters > 1) rep.steady_seconds = std::chrono::duration<double>(t_end - t_first).count();
  restore.run();

  if (!learned.empty()) {
    torch::NoGradGuard no_grad;
    int64_t undecided = 0, total = 0;
    for (const auto& lr : learned) {
      auto h = lr.rounding->h();
      undecided += ((h > 0.01) & (h < 0.99)).sum().item<int64_t>();
      total += h.numel();
    }
    rep.undecided = total > 0 ? static_cast<double>(undecided) / static_cast<double>(total) : 0.0;
  }

  // Hard rounding, and the check that the quantised weights are what a packed format stores.
  params.harden();
  if (o.verify) verify_weights_on_grid(layers);
  rep.loss_after = probe_mse();
  rep.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (iters > 0)
    bar.finish(fmt::format("loss {:.4g} -> {:.4g}{}", rep.first_loss, rep.final_loss,
                           rep.early_stopped ? " (early stop)" : ""));
  if (log)
    *log << nlohmann::json({{"pass", o.pass},
                            {"group", g.name},
                            {"done", true},
                            {"iters", rep.iters},
                            {"seconds", rep.seconds},
                            {"first_loss", rep.first_loss},
                            {"final_loss", rep.final_loss},
                            {"early_stopped", rep.early_stopped}})
                .dump()
         << "\n"
         << std::flush;
  return rep;
}

}  // namespace ptq
