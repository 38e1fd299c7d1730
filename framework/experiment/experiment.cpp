#include "framework/experiment/experiment.h"

#include "framework/core/check.h"
#include "framework/core/logging.h"
#include "framework/core/memory.h"
#include "framework/core/runtime.h"
#include "framework/core/strings.h"
#include "framework/deploy/quantized_model.h"
#include "framework/experiment/experiment_spec.h"
#include "framework/experiment/quant_config.h"
#include "framework/experiment/run_dir.h"
#include "framework/experiment/workload.h"
#include "framework/experiment/sqnr.h"
#include "framework/nn/state.h"
#include "framework/nn/weights.h"

#include <chrono>
#include <filesystem>

namespace ptq {
namespace {

using Json = nlohmann::json;

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

void check_variant_keys(const std::vector<Variant>& variants) {
  for (const auto& v : variants)
    for (const auto& o : v.overrides) {
      const auto key = o.substr(0, o.find('='));
      PTQ_CHECK(starts_with(key, "quant.") || starts_with(key, "method.") || starts_with(key, "calibration.") ||
                    key == "quant" || key == "method" || key == "calibration",
                "variant '{}' sets '{}', but variants share the model, data and calibration set and may only "
                "change quant.*, method.* and calibration.*; make a separate config for it",
                v.name, key);
    }
}

// One evaluation: the figures for metrics.json and the line for the log.
struct Evaluation {
  Json figures;
  std::string text;
};
Evaluation evaluation(const Workload& w, QuantModelImpl& model, const EvalSpec& e) {
  Evaluation out{w.evaluate(model, e), ""};
  out.text = out.figures.value("text", "");
  out.figures.erase("text");
  return out;
}

}  // namespace

RunResult run_experiment(const config::Config& cfg, const std::vector<std::string>& argv, const std::string& run_dir) {
  const auto started = std::chrono::steady_clock::now();
  const ExperimentSpec spec = spec_from_config(cfg);
  check_variant_keys(spec.variants);
  const int threads = configure_threads(spec.threads);
  seed_everything(spec.seed);
  const RunDir run(spec.output_dir, cfg, argv, spec.seed, threads, run_dir);
  log_to_file(run.path() + "/run.log");
  log_info("run {} -> {} ({} threads, LibTorch {})", spec.name, run.path(), threads, torch_version());

  Json metrics = {{"config", spec.name}, {"seed", spec.seed}, {"run_dir", run.path()}, {"finished", false},
                  {"runs", Json::array()}};
  Workload w = make_workload(spec);
  auto& model = w.model;
  metrics["model"] = w.model_info;
  std::map<std::string, torch::Tensor> fp_state;
  for (const auto& kv : model_state(*model)) fp_state[kv.first] = kv.second.clone();
  const auto& calib = w.calibration;
  log_info("calibration set: {}", w.calibration_text);

  const auto fp_eval = evaluation(w, *model, spec.eval);
  const Json& fp = fp_eval.figures;
  log_info("FP: {}", fp_eval.text);
  metrics["fp"] = fp;
  run.write_metrics(metrics);
  const double fp_headline = fp[w.headline].get<double>();

  std::vector<Variant> variants = spec.variants;
  if (variants.empty()) variants.push_back({short_label(spec.quant), {}});
  for (const auto& v : variants) {
    const auto vcfg = v.overrides.empty() ? cfg : cfg.with_overrides(v.overrides);
    const ExperimentSpec vs = v.overrides.empty() ? spec : spec_from_config(vcfg);
    load_model_state(*model, fp_state, "the FP weights kept in memory");
    seed_everything(vs.seed);
    Json row = {{"name", v.name}, {"method", vs.method_name}, {"overrides", v.overrides}};
    const auto t0 = std::chrono::steady_clock::now();
    if (vs.method->quantizes()) {
      apply_quant_setup(*model, vs.quant);
      row["label"] = short_label(vs.quant);
      row["weight"] = vs.quant.quantize_weights ? vs.quant.weight.spec.to_string() : "fp";
      row["act"] = vs.quant.quantize_activations ? vs.quant.act.spec.to_string() : "fp";
    } else {
      row["label"] = "FP";
      row["weight"] = row["act"] = "fp";
    }
    MethodContext ctx{*model, calib, vs.calibration.activations, vs.seed};
    ctx.run_dir = run.path();
    ctx.variant = v.name;
    const bool peak_reset = reset_peak_rss();
    vs.method->apply(ctx);
    row["method_seconds"] = seconds_since(t0);
    // Peak resident memory of the process during the method (model, data and caches included).
    if (peak_reset) row["method_peak_rss_mb"] = static_cast<double>(peak_rss_bytes()) / (1 << 20);
    if (!ctx.details.empty()) row["method_details"] = ctx.details;
    const auto ev = evaluation(w, *model, vs.eval);
    const Json& r = ev.figures;
    if (vs.method->quantizes() && vs.save_quantized) {
      const auto path = quantized_model_path(run.path(), v.name);
      save_quantized_model(*model, path, {cfg.to_yaml(), v.name, v.overrides});
      row["quantized_model"] = std::filesystem::relative(path, run.path()).string();
    }
    const double value = r[w.headline].get<double>();
    for (const auto& [key, figure] : r.items())
      if (key != "seconds") row[key] = figure;
    row["delta_" + w.headline] = value - fp_headline;
    row["eval_seconds"] = r["seconds"];
    if (vs.method->quantizes() && vs.eval.sqnr_samples > 0) {
      Json sq = Json::object();
      for (const auto& [unit, db] : per_unit_sqnr(*model, calib.narrow(0, 0, std::min(vs.eval.sqnr_samples, calib.size(0))),
                                                  vs.eval.batch_size))
        sq[unit] = std::isfinite(db) ? Json(db) : Json(nullptr);
      row["per_unit_sqnr_db"] = sq;
    }
    log_info("{}: {} {}  {} ({} {:+.3f})  [{:.1f}s method, {:.1f}s eval]", v.name, vs.method_name,
             row["label"].get<std::string>(), ev.text, w.headline, value - fp_headline,
             row["method_seconds"].get<double>(), r["seconds"].get<double>());
    metrics["runs"].push_back(row);
    run.write_metrics(metrics);
  }
  metrics["wall_seconds"] = seconds_since(started);
  metrics["finished"] = true;
  run.write_metrics(metrics);
  log_to_file("");
  return {run.path(), metrics};
}

std::string results_table(const Json& m) {
  auto peak = [](const Json& r) {
    return r.contains("method_peak_rss_mb") ? fmt::format("{:.0f}", r["method_peak_rss_mb"].get<double>())
                                            : std::string("n/a");
  };
  if (m["fp"].contains("cosine")) {  // a sentence encoder
    std::string out = "| run | method | W/A | weights | activations | cosine to FP | min cosine | method s | peak MB |\n";
    out += "|---|---|---|---|---|---:|---:|---:|---:|\n";
    for (const auto& r : m["runs"])
      out += fmt::format("| {} | {} | {} | {} | {} | {:.5f} | {:.4f} | {:.1f} | {} |\n", r["name"].get<std::string>(),
                         r["method"].get<std::string>(), r["label"].get<std::string>(), r["weight"].get<std::string>(),
                         r["act"].get<std::string>(), r["cosine"].get<double>(), r["min_cosine"].get<double>(),
                         r["method_seconds"].get<double>(), peak(r));
    return out;
  }
  if (m["fp"].contains("ppl")) {  // a language model
    std::string out = "| run | method | W/A | weights | activations | perplexity | Δ vs FP | NLL/token | method s | peak MB |\n";
    out += "|---|---|---|---|---|---:|---:|---:|---:|---:|\n";
    out += fmt::format("| FP | fp | W32A32 | fp32 | fp32 | {:.3f} | | {:.4f} | | |\n", m["fp"]["ppl"].get<double>(),
                       m["fp"]["loss"].get<double>());
    for (const auto& r : m["runs"])
      out += fmt::format("| {} | {} | {} | {} | {} | {:.3f} | {:+.3f} | {:.4f} | {:.1f} | {} |\n",
                         r["name"].get<std::string>(), r["method"].get<std::string>(), r["label"].get<std::string>(),
                         r["weight"].get<std::string>(), r["act"].get<std::string>(), r["ppl"].get<double>(),
                         r["delta_ppl"].get<double>(), r["loss"].get<double>(), r["method_seconds"].get<double>(),
                         peak(r));
    return out;
  }
  std::string out = "| run | method | W/A | weights | activations | top-1 (%) | Δ vs FP | loss |\n";
  out += "|---|---|---|---|---|---:|---:|---:|\n";
  out += fmt::format("| FP | fp | W32A32 | fp32 | fp32 | {:.2f} | | {:.4f} |\n", m["fp"]["top1"].get<double>(),
                     m["fp"]["loss"].get<double>());
  for (const auto& r : m["runs"])
    out += fmt::format("| {} | {} | {} | {} | {} | {:.2f} | {:+.2f} | {:.4f} |\n", r["name"].get<std::string>(),
                       r["method"].get<std::string>(), r["label"].get<std::string>(), r["weight"].get<std::string>(),
                       r["act"].get<std::string>(), r["top1"].get<double>(), r["delta_top1"].get<double>(),
                       r["loss"].get<double>());
  return out;
}

}  // namespace ptq
