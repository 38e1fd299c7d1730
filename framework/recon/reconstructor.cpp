#include "framework/recon/reconstructor.h"

#include "framework/core/memory.h"
#include "framework/core/runtime.h"

#include "framework/core/check.h"
#include "framework/core/logging.h"
#include "framework/recon/group_optimizer.h"
#include "framework/recon/quantizer_states.h"

#include <algorithm>
#include <chrono>
#include <fstream>

namespace ptq {
namespace {

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

std::vector<Quantizer> unit_quantizers(const QuantModelImpl& model, size_t b, size_t e) {
  std::vector<Quantizer> out;
  for (size_t u = b; u < e; ++u)
    for (const auto& q : model.units()[u]->quantizers()) out.push_back(q);
  return out;
}

}  // namespace

nlohmann::json ReconReport::to_json() const {
  nlohmann::json gs = nlohmann::json::array();
  for (const auto& g : groups)
    gs.push_back({{"name", g.name},
                  {"skipped", g.skipped},
                  {"iters", g.iters},
                  {"early_stopped", g.early_stopped},
                  {"first_loss", g.first_loss},
                  {"final_loss", g.final_loss},
                  {"seconds", g.seconds},
                  {"loop_seconds", g.loop_seconds},
                  {"undecided", g.undecided},
                  {"loss_before", g.loss_before},
                  {"loss_after", g.loss_after},
                  {"seconds_per_iter", g.seconds_per_iter()},
                  {"steady_seconds_per_iter", g.steady_seconds_per_iter()},
                  {"cache_seconds", g.cache_seconds}});
  return {{"pass", pass},
          {"seconds", seconds},
          {"cache_seconds", cache_seconds},
          {"cache_peak_mb", static_cast<double>(cache_peak_bytes) / (1 << 20)},
          {"spilled_entries", spilled_entries},
          {"groups", gs}};
}

Reconstructor::Reconstructor(QuantModelImpl& model, ReconOptions options) : model_(model), o_(std::move(options)) {
  o_.validate();
  input_ = make_input_policy(o_.input);
  losses_ = {make_loss(o_.loss)};
}

ReconReport Reconstructor::run(const torch::Tensor& images, uint64_t seed) {
  const auto t_start = std::chrono::steady_clock::now();
  PTQ_CHECK(images.dim() >= 2 && images.size(0) > 0, "reconstruction needs a non-empty calibration set, got shape [{}]",
            fmt::join(images.sizes(), ", "));
  const auto groups = make_groups(model_, o_.granularity);
  const auto& units = model_.units();
  const int64_t n = images.size(0);

  // The pass state: weights quantised; activations quantised or off.
  for (const auto& e : model_.layers()) {
    auto wq = e.layer->weight_quantizer;
    if (!wq->configured()) continue;
    PTQ_CHECK(wq->calibrated() || wq->options().spec.dynamic,
              "reconstruction: the weight quantiser of {} is not calibrated; call calibrate_weights() first", e.name);
    wq->set_state(QuantizerState::Quantize);
  }
  for (size_t u = 0; u < units.size(); ++u) {
    ReconGroup whole;
    whole.unit_begin = u;
    whole.unit_end = u + 1;
    for (auto q : group_act_quantizers(model_, whole)) {
      if (!o_.quantize_activations || o_.act_init == "per_group") {
        q->set_state(QuantizerState::Off);
        continue;
      }
      PTQ_CHECK(q->calibrated() || q->options().spec.dynamic,
                "reconstruction ({} pass): an activation quantiser of unit {} is not calibrated; calibrate "
                "activations first (calibrate_activations) or use act_init: per_group",
                o_.pass, units[u]->unit_name());
      q->set_state(QuantizerState::Quantize);
    }
  }

  std::unique_ptr<std::ofstream> log;
  if (!log_path_.empty()) {
    log = std::make_unique<std::ofstream>(log_path_, std::ios::app);
    PTQ_CHECK(static_cast<bool>(*log), "cannot open the reconstruction log {} for writing", log_path_);
  }

  ActivationCache cache(o_.cache);
  const bool need_q = input_->needs_quant_input() || o_.act_init == "per_group";
  const int64_t fb = o_.forward_batch;
  auto copy_images = [&](int64_t b, int64_t c) { return images.narrow(0, b, c); };
  cache.fill("fp_x", n, fb, copy_images);
  // The quantised network's input is the same images (input quantisers act inside units).
  if (need_q) cache.alias("q_x", "fp_x");

  // No-grad passes of units [b, e) over a cache entry, float or in the pass state.
  auto run_units = [&](const std::string& from, const std::string& to, size_t b, size_t e, bool fp) {
    std::unique_ptr<QuantizerStateGuard> off;
    if (fp) off = std::make_unique<QuantizerStateGuard>(unit_quantizers(model_, b, e), QuantizerState::Off);
    torch::NoGradGuard no_grad;
    cache.fill(to, n, fb, [&](int64_t i, int64_t c) { return model_.forward_units(cache.slice(from, i, c), b, e); });
  };

  ReconReport report;
  report.pass = o_.pass;
  for (size_t gi = 0; gi < groups.size(); ++gi) {
    const auto& g = groups[gi];
    // Overlapping windows: the next group starts inside this one, so the activations advance
    // only to its first unit (from this group's inputs, which are then kept).
    const size_t advance_end =
        !g.is_layer() && gi + 1 < groups.size() && !groups[gi + 1].is_layer() ? groups[gi + 1].unit_begin : g.unit_end;
    const bool overlap = advance_end < g.unit_end;
    const auto t_cache = std::chrono::steady_clock::now();
    release_free_memory();  // the previous group's working set is not this one's
    std::shared_ptr<QuantLayerImpl> layer;
    if (g.is_layer()) {
      // The layer's input and output inside its unit: run the unit with a tap on the layer.
      const auto& unit = units[g.unit_begin];
      layer = unit->layers()[static_cast<size_t>(g.layer)].layer;
      auto capture = [&](const std::string& from, bool fp, const std::string& in_name, const std::string& out_name) {
        std::unique_ptr<QuantizerStateGuard> off;
        if (fp) off = std::make_unique<QuantizerStateGuard>(unit->quantizers(), QuantizerState::Off);
        torch::NoGradGuard no_grad;
        torch::Tensor tin, tout;
        layer->set_tap([&](const torch::Tensor& i, const torch::Tensor& o) { tin = i, tout = o; });
        for (int64_t b = 0; b < n; b += fb) {
          const int64_t c = std::min(fb, n - b);
          unit->forward(cache.slice(from, b, c));
          if (b == 0) {
            cache.create(in_name, n, tin.sizes().slice(1));
            if (!out_name.empty()) cache.create(out_name, n, tout.sizes().slice(1));
          }
          cache.write(in_name, b, tin);
          if (!out_name.empty()) cache.write(out_name, b, tout);
        }
        layer->set_tap(nullptr);
      };
      capture("fp_x", true, "fp_in", "fp_out");
      if (need_q) capture("q_x", false, "q_in", "");
    } else {
      cache.rename("fp_x", "fp_in");
      if (need_q) cache.rename("q_x", "q_in");
      run_units("fp_in", "fp_out", g.unit_begin, g.unit_end, true);
    }
    if (!g.is_layer() && !input_->needs_fp_input() && need_q && !overlap) cache.release("fp_in");  // target exists now
    const double cache_seconds = seconds_since(t_cache);

    GroupContext ctx{model_, g, cache, n, fb, nullptr};
    if (layer) {
      ctx.forward = [layer](const torch::Tensor& x) { return layer->forward(x); };
    } else {
      ctx.forward = [this, &g](const torch::Tensor& x) { return model_.forward_units(x, g.unit_begin, g.unit_end); };
    }

    if (o_.quantize_activations && o_.act_init == "per_group") {
      // Activation ranges of this group from its first cached quantised inputs (weights nearest).
      auto acts = group_act_quantizers(model_, g);
      for (auto& q : acts) q->set_state(QuantizerState::Calibrate);
      {
        torch::NoGradGuard no_grad;
        const int64_t k = std::min(o_.act_init_samples, n);
        for (int64_t b = 0; b < k; b += fb) ctx.forward(cache.slice("q_in", b, std::min(fb, k - b)));
      }
      for (auto& q : acts)
        if (q->state() == QuantizerState::Calibrate) q->finish_calibration();
    }

    GroupReport rep;
    if (group_in_list(g, o_.skip)) {
      rep.pass = o_.pass;
      rep.name = g.name;
      rep.skipped = true;
    } else {
      torch::manual_seed(seed + gi);
      rep = optimize_group(ctx, o_, *input_, losses_, log.get());
    }
    rep.cache_seconds = cache_seconds;

    // Advance the float and quantised activations past this group; release its entries.
    const auto t_adv = std::chrono::steady_clock::now();
    const bool unit_done = !g.is_layer() || static_cast<size_t>(g.layer) + 1 == units[g.unit_begin]->layers().size();
    if (g.is_layer()) {
      for (const auto& name : cache.names())
        if (name != "fp_x" && name != "q_x") cache.release(name);
      if (unit_done) {
        run_units("fp_x", "fp_next", g.unit_begin, g.unit_end, true);
        cache.rename("fp_next", "fp_x");
        if (need_q) {
          run_units("q_x", "q_next", g.unit_begin, g.unit_end, false);
          cache.rename("q_next", "q_x");
        }
      }
    } else if (overlap) {
      for (const auto& name : cache.names())
        if (name != "q_in" && name != "fp_in") cache.release(name);
      run_units("fp_in", "fp_x", g.unit_begin, advance_end, true);
      cache.release("fp_in");
      if (need_q) {
        run_units("q_in", "q_x", g.unit_begin, advance_end, false);
        cache.release("q_in");
      }
    } else {
      for (const auto& name : cache.names())
        if (name != "q_in" && name != "fp_out") cache.release(name);
      if (need_q) {
        run_units("q_in", "q_x", g.unit_begin, g.unit_end, false);
        cache.release("q_in");
      }
      cache.rename("fp_out", "fp_x");
    }
    rep.cache_seconds += seconds_since(t_adv);
    report.cache_seconds += rep.cache_seconds;
    log_info("{} {}: {}", o_.pass, g.name,
             rep.skipped ? std::string("skipped (nearest rounding)")
                         : fmt::format("{} iters, MSE {:.4g} -> {:.4g} (train loss {:.4g} -> {:.4g}), undecided "
                                       "h(V) {:.1f}%, {:.3f} s/iter, cache {:.1f}s, RSS {:.2f} GiB (peak {:.2f})",
                                       rep.iters, rep.loss_before, rep.loss_after, rep.first_loss, rep.final_loss,
                                       100.0 * rep.undecided,
                                       rep.seconds_per_iter(), rep.cache_seconds, current_rss_bytes() / 1073741824.0,
                                       peak_rss_bytes() / 1073741824.0));
    report.groups.push_back(rep);
  }
  report.cache_peak_bytes = cache.peak_memory_bytes();
  report.spilled_entries = cache.spilled_entries();
  report.seconds = seconds_since(t_start);
  return report;
}

}  // namespace ptq
