#include "framework/recon/recon_config.h"

#include "framework/core/check.h"

namespace ptq {
namespace {

using config::DoubleRange;
using config::IntRange;

std::vector<std::pair<int64_t, int64_t>> read_ranges(const config::Section& s) {
  std::vector<std::pair<int64_t, int64_t>> out;
  if (!s.has("ranges")) return out;
  const auto where = s.source_of("ranges");
  const auto node = s.get_node("ranges");
  const auto key = s.path().empty() ? std::string("ranges") : s.path() + ".ranges";
  PTQ_CHECK(node.IsSequence(), "{}: expected a list of [begin, end) unit ranges ({})", key, where);
  for (const auto& r : node) {
    PTQ_CHECK(r.IsSequence() && r.size() == 2, "{}: every range must be a pair [begin, end] ({})", key, where);
    try {
      out.emplace_back(r[0].as<int64_t>(), r[1].as<int64_t>());
    } catch (const YAML::Exception&) {
      PTQ_FAIL("{}: range bounds must be integers ({})", key, where);
    }
  }
  return out;
}

}  // namespace

CacheOptions cache_options_from_config(const config::Section& c, const CacheOptions& d) {
  CacheOptions o;
  o.memory_mb = c.get_int("memory_mb", d.memory_mb, IntRange::at_least(0));
  o.spill_dir = c.get_string("spill_dir", d.spill_dir);
  return o;
}

ReconOptions recon_options_from_config(const config::Section& s, const ReconOptions& d) {
  ReconOptions o = d;
  o.iters = s.get_int("iters", d.iters, IntRange::at_least(0));
  o.batch_size = s.get_int("batch_size", d.batch_size, IntRange::at_least(1));
  o.sampling = s.get_choice("sampling", d.sampling, {"with_replacement", "without_replacement", "epochs"});
  o.granularity.kind = s.get_choice("granularity", d.granularity.kind, {"layer", "block", "stage", "net", "window", "ranges"});
  if (o.granularity.kind == "window") {
    o.granularity.window = s.get_int("window", d.granularity.window, IntRange{1, 1 << 20});
    o.granularity.overlap = s.get_int("overlap", d.granularity.overlap, IntRange{0, (1 << 20) - 1});
    PTQ_CHECK(o.granularity.overlap < o.granularity.window,
              "overlap ({}) must be smaller than window ({}) ({})", o.granularity.overlap, o.granularity.window,
              s.source_of("overlap"));
  }
  if (s.has("ranges")) o.granularity.ranges = read_ranges(s);
  o.skip = s.get_string_list("skip", d.skip);
  o.rounding = s.get_choice("rounding", d.rounding, {"adaround", "nearest"});
  const auto a = s.section("adaround");
  o.adaround.lambda = a.get_double("lambda", d.adaround.lambda, DoubleRange::at_least(0.0));
  o.adaround.warmup = a.get_double("warmup", d.adaround.warmup, DoubleRange{0.0, 1.0, false, true});
  o.adaround.beta_start = a.get_double("beta_start", d.adaround.beta_start, DoubleRange::greater_than(0.0));
  o.adaround.beta_end = a.get_double("beta_end", d.adaround.beta_end, DoubleRange::greater_than(0.0));
  o.adaround.lr = a.get_double("lr", d.adaround.lr, DoubleRange::greater_than(0.0));
  o.adaround.zeta = a.get_double("zeta", d.adaround.zeta, DoubleRange::greater_than(1.0));
  o.adaround.gamma = a.get_double("gamma", d.adaround.gamma, DoubleRange{-1e9, 0.0, false, true});
  o.adaround.fixed_floor = a.get_bool("fixed_floor", d.adaround.fixed_floor);
  o.adaround.rank = a.get_int("rank", d.adaround.rank, IntRange::at_least(0));
  o.quantize_activations = s.get_bool("quantize_activations", d.quantize_activations);
  o.act_init = s.get_choice("act_init", d.act_init, {"none", "per_group"});
  o.act_init_samples = s.get_int("act_init_samples", d.act_init_samples, IntRange::at_least(1));
  o.learn_act_scale = s.get_bool("learn_act_scale", d.learn_act_scale);
  o.act_lr = s.get_double("act_lr", d.act_lr, DoubleRange::greater_than(0.0));
  o.act_lr_schedule = s.get_choice("act_lr_schedule", d.act_lr_schedule, {"cosine", "constant"});
  o.learn_weight_scale = s.get_bool("learn_weight_scale", d.learn_weight_scale);
  o.weight_scale_lr = s.get_double("weight_scale_lr", d.weight_scale_lr, DoubleRange::greater_than(0.0));
  o.weight_scale_lr_schedule =
      s.get_choice("weight_scale_lr_schedule", d.weight_scale_lr_schedule, {"cosine", "constant"});
  const auto in = s.section("input");
  o.input.kind = in.get_choice("policy", d.input.kind, {"fp", "quant", "drop"});
  o.input.keep_prob = in.get_double("keep_prob", d.input.keep_prob, DoubleRange{0.0, 1.0});
  o.act_keep_prob = s.get_double("act_keep_prob", d.act_keep_prob, DoubleRange{0.0, 1.0});
  const auto l = s.section("loss");
  o.loss.kind = l.get_choice("kind", d.loss.kind, {"lp", "fisher", "mse_kl"});
  o.loss.kl_weight = l.get_double("kl_weight", d.loss.kl_weight, DoubleRange::at_least(0.0));
  o.loss.p = l.get_double("p", d.loss.p, DoubleRange::greater_than(0.0));
  const auto f = l.section("fisher");
  o.loss.fisher.damping = f.get_double("damping", d.loss.fisher.damping, DoubleRange::at_least(0.0));
  o.loss.fisher.normalize = f.get_bool("normalize", d.loss.fisher.normalize);
  o.loss.fisher.batch_mean = f.get_bool("batch_mean", d.loss.fisher.batch_mean);
  const auto e = s.section("early_stop");
  o.early_stop.enabled = e.get_bool("enabled", d.early_stop.enabled);
  o.early_stop.window = e.get_int("window", d.early_stop.window, IntRange::at_least(1));
  o.early_stop.patience = e.get_int("patience", d.early_stop.patience, IntRange::at_least(1));
  o.early_stop.min_delta = e.get_double("min_delta", d.early_stop.min_delta, DoubleRange::at_least(0.0));
  o.cache = cache_options_from_config(s.section("cache"), d.cache);
  o.forward_batch = s.get_int("forward_batch", d.forward_batch, IntRange::at_least(1));
  o.log_every = s.get_int("log_every", d.log_every, IntRange::at_least(0));
  o.verify = s.get_bool("verify", d.verify);
  o.progress = s.get_bool("progress", d.progress);
  o.validate();
  return o;
}

}  // namespace ptq
