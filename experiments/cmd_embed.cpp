// ptq embed MODEL_DIR --input LINES.txt --output OUT.safetensors [--seq-len N] — sentence
// embeddings of a BERT-style encoder folder (e.g. all-MiniLM-L6-v2), one sentence per input
// line, so ptq's tokenizer and forward can be checked against Hugging Face's
// (scripts/check_minilm.py). Writes "ids" [n, N] (float token ids, 0 = padding) and
// "embeddings" [n, hidden].
#include "experiments/cli_args.h"
#include "experiments/commands.h"
#include "framework/core/check.h"
#include "framework/core/runtime.h"
#include "framework/io/safetensors.h"
#include "framework/nn/bert.h"
#include "framework/text/wordpiece.h"

#include <filesystem>
#include <fstream>
#include <iostream>

namespace ptq::cli {

int cmd_embed(const Argv& argv) {
  const auto a = parse_args("embed", argv, {{"input", "output", "seq-len"}, {}, {}});
  if (a.flag("help") || a.positional.size() != 1 || a.value("input").empty() || a.value("output").empty()) {
    std::cout << "usage: ptq embed MODEL_DIR --input LINES.txt --output OUT.safetensors [--seq-len 128]\n\n"
                 "Sentence embeddings (mean pooling, L2-normalised) of the BERT-style encoder in MODEL_DIR\n"
                 "(config.json, model.safetensors, vocab.txt) for every line of LINES.txt. Writes the\n"
                 "token ids ('ids') and the embeddings ('embeddings').\n";
    return a.flag("help") ? 0 : 2;
  }
  configure_threads(0);
  const std::string dir = a.positional[0];
  const int64_t seq_len = a.value("seq-len").empty() ? 128 : std::stoll(a.value("seq-len"));
  PTQ_CHECK(seq_len >= 2 && seq_len <= 512, "--seq-len: expected 2..512, got {}", seq_len);
  auto model = load_bert_checkpoint(dir);
  const text::WordPiece wp((std::filesystem::path(dir) / "vocab.txt").string());
  std::ifstream in(a.value("input"));
  PTQ_CHECK(in.good(), "cannot read '{}'", a.value("input"));
  std::vector<std::vector<int64_t>> rows;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) rows.push_back(wp.encode(line, seq_len));
  PTQ_CHECK(!rows.empty(), "'{}' holds no sentences", a.value("input"));
  auto ids = torch::zeros({static_cast<int64_t>(rows.size()), seq_len});
  for (size_t i = 0; i < rows.size(); ++i)
    for (size_t j = 0; j < rows[i].size(); ++j) ids[static_cast<int64_t>(i)][static_cast<int64_t>(j)] = static_cast<float>(rows[i][j]);
  torch::NoGradGuard no_grad;
  const auto emb = model->forward(ids).contiguous();
  io::save_safetensors(a.value("output"), {{"ids", ids}, {"embeddings", emb}}, {{"ptq.model", dir}});
  std::cout << fmt::format("wrote {} embeddings of size {} to {}\n", emb.size(0), emb.size(1), a.value("output"));
  return 0;
}

}  // namespace ptq::cli
