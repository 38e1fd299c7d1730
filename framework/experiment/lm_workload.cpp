// The language-model workload (workload.h): tokenizer, token streams, the FP decoder (trained
// here and cached, an HF checkpoint folder, a safetensors file, or random), calibration
// windows and perplexity.
//
// Caches live in model_cache_dir() (sources.h), never in the tree:
//   tokenizers/<sha of the training text, vocab, type>.model  — SentencePiece trained by ptq
//   models/llama-<sha of shape, tokenizer, training options, threads>.safetensors
#include "framework/core/check.h"
#include "framework/core/logging.h"
#include "framework/core/runtime.h"
#include "framework/core/sha256.h"
#include "framework/data/rng.h"
#include "framework/experiment/perplexity.h"
#include "framework/experiment/sources.h"
#include "framework/experiment/train_lm.h"
#include "framework/experiment/workload.h"
#include "framework/io/input_file.h"
#include "framework/io/spill_file.h"
#include "framework/nn/hf_checkpoint.h"
#include "framework/nn/weights.h"
#include "framework/text/corpus.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace fs = std::filesystem;

namespace ptq {
namespace {

std::string read_text_file(const std::string& path, const std::string& key) {
  PTQ_CHECK(fs::is_regular_file(path), "{}: the text file '{}' does not exist; point {} at a UTF-8 text file", key,
            path, key);
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  PTQ_CHECK(in.good() || in.eof(), "{}: cannot read '{}'", key, path);
  PTQ_CHECK(!ss.str().empty(), "{}: the text file '{}' is empty", key, path);
  return ss.str();
}

struct Text {
  std::vector<std::string> train, test;  // documents (fortunes) or one document per file (text)
  std::string source;
};

Text read_text(const ExperimentSpec& spec) {
  Text t;
  if (spec.data.dataset == "fortunes") {
    auto c = text::read_fortunes(spec.data.root, spec.data.text.holdout_every);
    t.train = std::move(c.train);
    t.test = std::move(c.test);
    t.source = c.source;
  } else {
    t.train = {read_text_file(spec.data.text.train_file, "data.train_file")};
    t.test = {read_text_file(spec.data.text.test_file, "data.test_file")};
    t.source = fmt::format("text files {} / {}", spec.data.text.train_file, spec.data.text.test_file);
  }
  return t;
}

// The tokenizer named by data.tokenizer, or one trained on the training text and cached.
std::string tokenizer_path(const ExperimentSpec& spec, const Text& text) {
  const auto& d = spec.data.text;
  if (d.tokenizer != "train") {
    PTQ_CHECK(fs::is_regular_file(d.tokenizer),
              "data.tokenizer: '{}' does not exist; give a SentencePiece tokenizer.model or 'train'", d.tokenizer);
    return d.tokenizer;
  }
  if (fs::is_directory(spec.model.weights) && fs::exists(fs::path(spec.model.weights) / "tokenizer.model"))
    PTQ_FAIL("data.tokenizer: 'train' would train a new tokenizer for the checkpoint in '{}'; set data.tokenizer: "
             "{}/tokenizer.model",
             spec.model.weights, spec.model.weights);
  const std::string lines = fmt::format("{}/ptq-tokenizer-text-{}.txt", io::spill_directory(spec.calibration.spill_dir),
                                        getpid());
  text::write_lines(lines, text.train);
  const std::string key = sha256_hex(fmt::format("v1|{}|{}|", d.vocab_size, d.tokenizer_type) +
                                     read_text_file(lines, "tokenizer training text"))
                              .substr(0, 16);
  const std::string dir = model_cache_dir() + "/tokenizers";
  const std::string path = fmt::format("{}/{}-{}.model", dir, d.tokenizer_type, key);
  if (fs::exists(path)) {
    fs::remove(lines);
    log_info("tokenizer: reusing {}", path);
    return path;
  }
  fs::create_directories(dir);
  const std::string tmp_prefix = fmt::format("{}/.training-{}-{}", dir, key, getpid());
  log_info("tokenizer: training a {} SentencePiece model ({} pieces) on {}; cached in {}", d.tokenizer_type,
           d.vocab_size, text.source, path);
  text::TokenizerTrainOptions o;
  o.vocab_size = d.vocab_size;
  o.model_type = d.tokenizer_type;
  try {
    text::train_tokenizer(lines, tmp_prefix, o);
  } catch (...) {
    fs::remove(lines);
    throw;
  }
  fs::remove(lines);
  fs::rename(tmp_prefix + ".model", path);
  fs::remove(tmp_prefix + ".vocab");
  return path;
}

std::shared_ptr<LlamaModelImpl> load_fp_llama(const ExperimentSpec& spec, const text::Tokenizer& tok,
                                              const torch::Tensor& train_tokens, bool* trained) {
  *trained = false;
  const auto& w = spec.model.weights;
  if (fs::is_directory(w)) {
    auto m = load_llama_checkpoint(w);
    PTQ_CHECK(m->config().vocab_size >= tok.vocab_size(),
              "model.weights: the checkpoint in '{}' has {} token embeddings but the tokenizer '{}' has {} pieces; "
              "use the checkpoint's own tokenizer.model",
              w, m->config().vocab_size, tok.path(), tok.vocab_size());
    log_info("model llama: Hugging Face checkpoint {} ({} layers, width {})", w, m->config().num_layers,
             m->config().hidden_size);
    return m;
  }
  LlamaConfig c = spec.model.llama;
  c.vocab_size = tok.vocab_size();
  seed_everything(spec.lm_train.seed);
  auto model = create_llama(c);
  if (w == "random") {
    log_info("model llama: seeded random weights (seed {})", spec.lm_train.seed);
  } else if (w == "train") {
    const auto& t = spec.lm_train;
    const std::string key =
        sha256_hex(fmt::format("v1|{}|{}|st{}|bs{}|sl{}|lr{}|wu{}|wd{}|seed{}|threads{}",
                               llama_config_to_hf_json(c).dump(), fs::file_size(tok.path()),
                               t.steps, t.batch_size, t.seq_len, t.lr, t.warmup_steps, t.weight_decay, t.seed,
                               torch::get_num_threads()) +
                   fs::path(tok.path()).filename().string())
            .substr(0, 16);
    const std::string path = fmt::format("{}/models/llama-{}.safetensors", model_cache_dir(), key);
    if (fs::exists(path)) {
      log_info("model llama: reusing trained weights {}", path);
      load_model_weights(*model, path);
    } else {
      log_info("model llama: training {} layers × width {} for {} steps on {} tokens; weights will be cached in {}",
               c.num_layers, c.hidden_size, t.steps, train_tokens.numel(), path);
      const auto r = train_lm(*model, train_tokens, t);
      log_info("model llama: trained in {:.0f}s, final training loss {:.3f}", r.seconds, r.final_loss);
      save_model_weights(*model, path, {{"ptq.train_key", key}});
      *trained = true;
    }
  } else {
    load_model_weights(*model, w, spec.model.allow_partial_load);
    log_info("model llama: weights from {}", w);
  }
  return model;
}

}  // namespace

// N windows of seq_len tokens at seeded random offsets, as float ids [N, seq_len] (exact below 2^24).
torch::Tensor lm_calibration_windows(const torch::Tensor& tokens, int64_t n, int64_t seq_len, uint64_t seed) {
  PTQ_CHECK(tokens.numel() > seq_len,
            "calibration: the training text has {} tokens, fewer than one window of data.seq_len = {}; use a "
            "shorter seq_len or more text",
            tokens.numel(), seq_len);
  PTQ_CHECK(tokens.numel() < (int64_t{1} << 24) || tokens.max().item<int64_t>() < (int64_t{1} << 24),
            "calibration: token ids above 2^24 cannot be held exactly as float ids");
  data::DataRng rng(seed);
  auto out = torch::empty({n, seq_len}, torch::kFloat);
  const auto src = tokens.to(torch::kLong).contiguous();
  const auto* p = src.data_ptr<int64_t>();
  auto* o = out.data_ptr<float>();
  const uint64_t starts = static_cast<uint64_t>(tokens.numel() - seq_len);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t s = static_cast<int64_t>(rng.below(starts));
    for (int64_t j = 0; j < seq_len; ++j) o[i * seq_len + j] = static_cast<float>(p[s + j]);
  }
  return out;
}

Workload language_workload(const ExperimentSpec& spec) {
  Workload w;
  const auto text = read_text(spec);
  const auto tok = std::make_shared<text::Tokenizer>(tokenizer_path(spec, text));
  const auto train_tokens = text::token_stream(*tok, text.train);
  const auto test_tokens = text::token_stream(*tok, text.test);
  log_info("text: {}; tokenizer {} ({} pieces); {} training and {} test tokens", text.source, tok->path(),
           tok->vocab_size(), train_tokens.numel(), test_tokens.numel());
  bool trained = false;
  auto model = load_fp_llama(spec, *tok, train_tokens, &trained);
  model->eval();
  w.model = model;
  w.model_info = {{"arch", "llama"},
                  {"weights", spec.model.weights},
                  {"trained_now", trained},
                  {"config", llama_config_to_hf_json(model->config())},
                  {"tokenizer", tok->path()},
                  {"train_tokens", train_tokens.numel()},
                  {"test_tokens", test_tokens.numel()}};
  const int64_t seq_len = spec.data.text.seq_len;
  w.calibration = lm_calibration_windows(train_tokens, spec.calibration.num_samples, seq_len, spec.calibration.seed);
  w.calibration_text = fmt::format("{} windows of {} tokens from {}", w.calibration.size(0), seq_len, text.source);
  w.evaluate = [test_tokens, seq_len](QuantModelImpl& m, const EvalSpec& e) {
    const auto r = perplexity(m, test_tokens, seq_len, e.batch_size, e.limit);
    return nlohmann::json{{"ppl", r.perplexity},
                          {"loss", r.nll_per_token},
                          {"windows", r.windows},
                          {"tokens", r.predicted_tokens},
                          {"seconds", r.seconds},
                          {"text", fmt::format("perplexity {:.3f}  NLL {:.4f}/token  ({} windows, {:.0f} tok/s)",
                                               r.perplexity, r.nll_per_token, r.windows,
                                               r.predicted_tokens / std::max(r.seconds, 1e-9))}};
  };
  w.headline = "ppl";
  w.higher_is_better = false;
  return w;
}

}  // namespace ptq
