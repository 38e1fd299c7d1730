// Tokenizer: a SentencePiece model (`tokenizer.model`, as LLaMA, TinyLlama and ptq's own
// decoder ship it). SentencePiece runs in the helper process `ptq-spm` (built next to `ptq`;
// experiments/ptq_spm_main.cpp), because Debian's libsentencepiece cannot share a process with
// LibTorch (their protobuf copies clash). The helper is found through $PTQ_SPM, next to the
// running executable, or in the build folder. `train_tokenizer` trains a model (BPE or
// unigram) deterministically: one thread, every sentence, no shuffling, so the same corpus and
// settings give the same model bytes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ptq::text {

class Tokenizer {
 public:
  // Loads (checks) a SentencePiece model file; errors name the file.
  explicit Tokenizer(const std::string& model_path);

  std::vector<int64_t> encode(const std::string& text) const;
  // Many documents in one helper call.
  std::vector<std::vector<int64_t>> encode_all(const std::vector<std::string>& documents) const;
  std::string decode(const std::vector<int64_t>& ids) const;
  int64_t vocab_size() const { return vocab_size_; }
  int64_t bos_id() const { return bos_id_; }  // −1 when the model has none
  int64_t eos_id() const { return eos_id_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int64_t vocab_size_ = 0, bos_id_ = -1, eos_id_ = -1;
};

struct TokenizerTrainOptions {
  int64_t vocab_size = 4096;
  std::string model_type = "bpe";  // bpe | unigram
  double character_coverage = 1.0;
};

// Trains on `text_file` (one sentence or document per line) and writes `<prefix>.model`
// (and `<prefix>.vocab`). Returns the .model path.
std::string train_tokenizer(const std::string& text_file, const std::string& prefix, const TokenizerTrainOptions& o);

// The helper's path (see the header comment); throws a UserError when it cannot be found.
std::string spm_helper_path();

}  // namespace ptq::text
