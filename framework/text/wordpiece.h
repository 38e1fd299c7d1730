// BERT's WordPiece tokenizer (uncased), as Hugging Face's BertTokenizer runs it for
// all-MiniLM-L6-v2 and other uncased BERT models, from the model's `vocab.txt`:
//   1. clean: drop NUL, U+FFFD and control characters; whitespace becomes a space;
//   2. lower-case and strip accents (NFD, then drop combining marks): implemented for ASCII and
//      the Latin-1 / Latin Extended-A letters; other characters are kept as they are;
//   3. split on whitespace, then split off every punctuation character (ASCII punctuation
//      and symbols, and the Unicode General Punctuation block);
//   4. each word: greedy longest-match-first pieces, continuations prefixed "##"; a word with
//      an unmatchable rest, or longer than 100 characters, becomes [UNK].
// encode() adds [CLS] … [SEP] and truncates to max_tokens (keeping [SEP]).
// CJK characters (split one per token by BERT) are not handled: such text is refused.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace ptq::text {

class WordPiece {
 public:
  explicit WordPiece(const std::string& vocab_path);
  std::vector<std::string> tokenize(const std::string& text) const;  // pieces, without [CLS]/[SEP]
  std::vector<int64_t> encode(const std::string& text, int64_t max_tokens = 128) const;
  int64_t vocab_size() const { return static_cast<int64_t>(ids_.size()); }
  int64_t id(const std::string& piece) const;  // the [UNK] id for an unknown piece

 private:
  std::unordered_map<std::string, int64_t> ids_;
  int64_t unk_ = 0, cls_ = 0, sep_ = 0;
  std::string path_;
};

}  // namespace ptq::text
