// Real English text for ptq's own decoder: the databases of Debian's `fortunes` package
// (/usr/share/games/fortunes; 1.2 MB of quotations, jokes and poems in ~14,000 entries). Every
// database file is read in file-name order (not the .dat indices, not the .u8 links), entries
// are the blocks between lines holding a single "%" (a text repeated across databases is kept
// once, the first time), and entry i is held out for evaluation
// when i % holdout_every == holdout_every − 1, so train and test never share an entry.
// Token streams put BOS first and EOS after every entry.
#pragma once

#include "framework/text/tokenizer.h"

#include <torch/torch.h>

#include <string>
#include <vector>

namespace ptq::text {

struct TextCorpus {
  std::vector<std::string> train, test;
  std::string source;  // for logs and errors
};

TextCorpus read_fortunes(const std::string& dir = "/usr/share/games/fortunes", int64_t holdout_every = 10);

// One stream of int64 ids: BOS (if the tokenizer has one), then each document followed by EOS.
torch::Tensor token_stream(const Tokenizer& tokenizer, const std::vector<std::string>& documents);

// Writes the documents one per line (inner newlines become spaces) for tokenizer training.
void write_lines(const std::string& path, const std::vector<std::string>& documents);

}  // namespace ptq::text
