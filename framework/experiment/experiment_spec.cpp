#include "framework/experiment/experiment_spec.h"

#include "framework/config/scalars.h"
#include "framework/core/check.h"
#include "framework/experiment/lm_spec.h"
#include "framework/experiment/quant_config.h"

#include <yaml-cpp/yaml.h>

#include <filesystem>

namespace ptq {

using config::DoubleRange;
using config::IntRange;

namespace {

ModelSpec read_model(const config::Section& s) {
  ModelSpec m;
  register_builtin_models();
  auto archs = model_registry().names();
  archs.push_back("llama");
  archs.push_back("bert");
  m.arch = s.get_choice("arch", m.arch, archs);
  if (m.arch == "bert") {  // a pretrained sentence encoder: a Hugging Face folder
    m.weights = s.get_string("weights");
    m.fold_bn = false;
    return m;
  }
  if (m.arch == "llama") {
    m.weights = s.get_string("weights", "train");
    // An HF checkpoint folder brings its own config.json; otherwise the shape is model.llama.
    if (!std::filesystem::is_directory(m.weights)) m.llama = read_llama_shape(s.section("llama"));
    m.fold_bn = false;
    return m;
  }
  m.options.num_classes = s.get_int("num_classes", 10, IntRange::at_least(1));
  m.options.in_channels = s.get_int("in_channels", 1, IntRange{1, 16});
  m.options.image_size = s.get_int("image_size", 28, IntRange{8, 4096});
  m.options.small_input = s.get_bool("small_input", true);
  m.weights = s.get_string("weights", "train");
  m.allow_partial_load = s.get_bool("allow_partial_load", false);
  m.fold_bn = s.get_bool("fold_bn", m.fold_bn);
  return m;
}

DataSpec read_data(const config::Section& s, const std::string& arch) {
  DataSpec d;
  const bool language_model = arch == "llama", encoder = arch == "bert";
  d.dataset = s.get_choice("dataset", language_model ? "fortunes" : encoder ? "sentences" : d.dataset,
                           {"fashion_mnist", "image_folder", "fortunes", "text", "sentences"});
  const bool text = d.dataset == "fortunes" || d.dataset == "text", sentences = d.dataset == "sentences";
  PTQ_CHECK(text == language_model && sentences == encoder,
            "data.dataset: {} does not go with model.arch {}; text data sets (fortunes, text) go with model.arch: "
            "llama, sentences with bert, image data sets with the image models ({})",
            d.dataset, arch, s.source_of("dataset"));
  if (sentences) {
    d.text.seq_len = s.get_int("seq_len", 128, IntRange{2, 512});
    d.root = s.get_string("root", "/usr/share/games/fortunes");
    d.text.holdout_every = s.get_int("holdout_every", d.text.holdout_every, IntRange{2, 1000000});
    d.text.tokenizer = s.get_string("tokenizer", "");
    return d;
  }
  if (text) {
    d.text = read_text_data(s, d.dataset, &d.root);
    return d;
  }
  d.root = s.get_string("root", d.dataset == "fashion_mnist" ? "/usr/share/datasets/fashion-mnist" : "");
  PTQ_CHECK(!d.root.empty(), "data.root: the image_folder data set needs a root folder (with train/ and val/ inside)");
  d.train_dir = s.get_string("train_dir", d.train_dir);
  d.val_dir = s.get_string("val_dir", d.val_dir);
  d.resize = s.get_int("resize", d.dataset == "fashion_mnist" ? 0 : 256, IntRange{0, 4096});
  d.crop = s.get_int("crop", d.crop, IntRange{1, 4096});
  d.three_channels = s.get_bool("three_channels", false);
  d.calibration_augment = s.get_bool("calibration_augment", false);
  return d;
}

TrainOptions read_train(const config::Section& s, uint64_t seed) {
  TrainOptions t;
  t.epochs = s.get_int("epochs", t.epochs, IntRange{1, 1000});
  t.batch_size = s.get_int("batch_size", t.batch_size, IntRange{1, 65536});
  t.lr = s.get_double("lr", t.lr, DoubleRange::greater_than(0.0));
  t.momentum = s.get_double("momentum", t.momentum, DoubleRange{0.0, 1.0});
  t.weight_decay = s.get_double("weight_decay", t.weight_decay, DoubleRange::at_least(0.0));
  t.progress = s.get_bool("progress", true);
  // The FP model's seed (initialisation and batch order); defaults to the experiment seed.
  // Fixing it lets PTQ seeds vary over one trained model.
  t.seed = static_cast<uint64_t>(s.get_int("seed", static_cast<int64_t>(seed), IntRange::at_least(0)));
  return t;
}

CalibrationSpec read_calibration(const config::Section& s, uint64_t seed) {
  CalibrationSpec c;
  c.num_samples = s.get_int("num_samples", c.num_samples, IntRange::at_least(1));
  c.memory_mb = s.get_int("memory_mb", c.memory_mb, IntRange::at_least(0));
  c.spill_dir = s.get_string("spill_dir", c.spill_dir);
  c.seed = static_cast<uint64_t>(s.get_int("seed", static_cast<int64_t>(seed), IntRange::at_least(0)));
  c.activations.order = s.get_choice("order", c.activations.order, {"sequential", "fp"});
  c.activations.act_samples = s.get_int("act_samples", c.activations.act_samples, IntRange::at_least(1));
  c.activations.batch_size = s.get_int("batch_size", c.activations.batch_size, IntRange::at_least(1));
  return c;
}

EvalSpec read_eval(const config::Section& s) {
  EvalSpec e;
  e.batch_size = s.get_int("batch_size", e.batch_size, IntRange::at_least(1));
  e.limit = s.get_int("limit", e.limit, IntRange::at_least(0));
  e.sqnr_samples = s.get_int("sqnr_samples", e.sqnr_samples, IntRange::at_least(0));
  return e;
}

// A mapping key as text; keys that are not plain scalars (a list or mapping used as a key) are
// a user error naming `what` (found by the config fuzz target: YAML::BadConversion escaped).
std::string key_text(const YAML::Node& key, const std::string& what, const std::string& where) {
  PTQ_CHECK(key.IsScalar(), "{}: keys must be plain names, got {} ({})", what, config::detail::describe_value(key),
            where);
  return key.Scalar();
}

std::vector<Variant> read_variants(const config::Config& cfg) {
  std::vector<Variant> out;
  const auto top = cfg.section("");
  if (!top.has("variants")) return out;
  const YAML::Node list = top.get_node("variants");
  const std::string where = cfg.source_of("variants");
  PTQ_CHECK(list.IsSequence(), "variants: expected a list of {{name: ..., set: {{key.path: value}}}} ({})", where);
  for (size_t i = 0; i < list.size(); ++i) {
    const auto& v = list[i];
    PTQ_CHECK(v.IsMap() && v["name"] && v["name"].IsScalar(),
              "variants[{}]: expected a mapping with a 'name' and a 'set' mapping ({})", i, where);
    Variant var;
    var.name = v["name"].Scalar();
    for (const auto& kv : v) {
      const auto key = key_text(kv.first, fmt::format("variants[{}]", i), where);
      PTQ_CHECK(key == "name" || key == "set", "variants[{}]: unknown key '{}'; expected name and set ({})", i, key,
                where);
    }
    if (v["set"]) {
      PTQ_CHECK(v["set"].IsMap(), "variants[{}].set: expected a mapping of key.path: value ({})", i, where);
      for (const auto& kv : v["set"]) {
        YAML::Emitter e;
        e << YAML::Flow << kv.second;
        var.overrides.push_back(key_text(kv.first, fmt::format("variants[{}].set", i), where) + "=" + e.c_str());
      }
    }
    for (const auto& seen : out)
      PTQ_CHECK(seen.name != var.name, "variants: the name '{}' is used twice ({})", var.name, where);
    out.push_back(std::move(var));
  }
  return out;
}

// Reads every section except variants; used for the config itself and for each variant.
ExperimentSpec read_spec(const config::Config& cfg) {
  ExperimentSpec s;
  const auto top = cfg.section("");
  s.name = cfg.name();
  s.seed = static_cast<uint64_t>(top.get_int("seed", 1005, IntRange::at_least(0)));
  s.threads = static_cast<int>(top.get_int("threads", 0, IntRange{0, 1024}));
  s.model = read_model(cfg.section("model"));
  s.data = read_data(cfg.section("data"), s.model.arch);
  if (s.is_language_model())
    s.lm_train = read_lm_train(cfg.section("train"), s.seed, s.data.text.seq_len);
  else if (!s.is_sentence_encoder())
    s.train = read_train(cfg.section("train"), s.seed);
  s.calibration = read_calibration(cfg.section("calibration"), s.seed);
  s.quant = quant_setup_from_config(cfg.section("quant"));
  const auto method = cfg.section("method");
  s.method_name = method.get_string("name", "rtn");
  try {
    s.method = create_method(s.method_name, method);
  } catch (const UserError& e) {
    PTQ_FAIL("method.name: {} ({})", e.what(), method.source_of("name"));
  }
  s.eval = read_eval(cfg.section("eval"));
  s.output_dir = cfg.section("output").get_string("dir", "runs");
  s.save_quantized = cfg.section("output").get_bool("save_quantized", true);
  return s;
}

}  // namespace

ExperimentSpec spec_from_config(const config::Config& cfg) {
  ExperimentSpec spec = read_spec(cfg);
  spec.variants = read_variants(cfg);
  cfg.check_all_used();
  // Validate every variant up front: a bad override must fail before any work starts.
  for (const auto& v : spec.variants) {
    try {
      auto vc = cfg.with_overrides(v.overrides);
      read_spec(vc);
      read_variants(vc);
      vc.check_all_used();
    } catch (const UserError& e) {
      PTQ_FAIL("variant '{}': {}", v.name, e.what());
    }
  }
  return spec;
}

}  // namespace ptq
