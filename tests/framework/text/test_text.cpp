// Tokenizer training and use (SentencePiece) and the fortunes corpus.
#include <catch2/catch.hpp>

#include "framework/core/check.h"
#include "framework/experiment/perplexity.h"
#include "framework/experiment/train_lm.h"
#include "framework/io/atomic_file.h"
#include "framework/nn/state.h"
#include "framework/text/corpus.h"
#include "framework/text/tokenizer.h"
#include "tests/support/llama_fixture.h"
#include "tests/support/temp_dir.h"

#include <set>

using namespace ptq;
using Catch::Contains;

namespace {
// A small slice of the real corpus keeps tokenizer training to a second.
std::vector<std::string> slice(const std::vector<std::string>& docs, size_t n) {
  return {docs.begin(), docs.begin() + static_cast<std::ptrdiff_t>(std::min(n, docs.size()))};
}

// A 512-piece BPE tokenizer trained on the first 1,500 training entries; returns the .model path.
std::string small_tokenizer(const text::TextCorpus& c, const test::TempDir& dir, const std::string& prefix) {
  text::write_lines(dir.file("train.txt"), slice(c.train, 1500));
  text::TokenizerTrainOptions o;
  o.vocab_size = 512;
  return text::train_tokenizer(dir.file("train.txt"), dir.file(prefix), o);
}
}  // namespace

TEST_CASE("text: the fortunes corpus splits into disjoint train and held-out entries", "[text]") {
  const auto c = text::read_fortunes();
  INFO(c.source);
  CHECK(c.train.size() > 5000);
  CHECK(c.test.size() * 9 >= c.train.size() - 9);  // every tenth entry
  CHECK(c.test.size() * 9 <= c.train.size() + 9);
  const std::set<std::string> train(c.train.begin(), c.train.end());
  size_t shared = 0;
  for (const auto& t : c.test) shared += train.count(t);
  CHECK(shared == 0);
  for (const auto& t : slice(c.train, 200)) {
    CHECK_FALSE(t.empty());
    CHECK(t.find("\n%\n") == std::string::npos);
  }
  CHECK_THROWS_WITH(text::read_fortunes("/nonexistent/fortunes"), Contains("install Debian's `fortunes`"));
}

TEST_CASE("text: a trained SentencePiece tokenizer is deterministic and round-trips text", "[text]") {
  const auto c = text::read_fortunes();
  test::TempDir dir;
  const auto a = small_tokenizer(c, dir, "a");
  small_tokenizer(c, dir, "b");
  // Same pieces and scores (the .model file also records its own path).
  CHECK(io::read_file(dir.file("a.vocab")) == io::read_file(dir.file("b.vocab")));
  text::Tokenizer tok(a);
  CHECK(tok.vocab_size() == 512);
  CHECK(tok.bos_id() == 1);
  CHECK(tok.eos_id() == 2);
  const std::string s = "The quick brown fox jumps over 1234 lazy dogs.";
  const auto ids = tok.encode(s);
  CHECK(ids.size() > 5);
  CHECK(tok.decode(ids) == s);
  // Unseen characters fall back to bytes instead of <unk>.
  const std::string odd = "Grüße ✓";
  CHECK(tok.decode(tok.encode(odd)) == odd);
  const auto stream = text::token_stream(tok, {"one", "two"});
  CHECK(stream[0].item<int64_t>() == 1);
  CHECK(stream[-1].item<int64_t>() == 2);
  CHECK(torch::sum(stream == 2).item<int64_t>() == 2);
}

TEST_CASE("text: tokenizer files that are missing or not SentencePiece are clear errors", "[text]") {
  test::TempDir dir;
  CHECK_THROWS_WITH(text::Tokenizer(dir.file("tokenizer.model")), Contains("does not exist"));
  io::write_text_atomic(dir.file("bad.model"), "{\"not\": \"sentencepiece\"}");
  CHECK_THROWS_WITH(text::Tokenizer(dir.file("bad.model")), Contains("is not a SentencePiece model"));
  text::TokenizerTrainOptions o;
  o.model_type = "wordpiece";
  CHECK_THROWS_WITH(text::train_tokenizer(dir.file("x.txt"), dir.file("t"), o), Contains("bpe or unigram"));
}

TEST_CASE("text: a tiny decoder trained on fortunes learns, deterministically", "[text][llama]") {
  const auto c = text::read_fortunes();
  test::TempDir dir;
  text::Tokenizer tok(small_tokenizer(c, dir, "tok"));
  const auto train = text::token_stream(tok, slice(c.train, 1500));
  const auto test = text::token_stream(tok, slice(c.test, 150));
  const auto cfg = test::tiny_llama(tok.vocab_size(), 32, 64, 2, 4, 2);
  LmTrainOptions o;
  o.steps = 80;
  o.batch_size = 8;
  o.seq_len = 32;
  o.warmup_steps = 10;
  o.lr = 3e-3;
  o.seed = 11;
  o.progress = false;
  auto trained = [&] {
    torch::manual_seed(5);
    auto m = create_llama(cfg);
    train_lm(*m, train, o);
    return m;
  };
  torch::manual_seed(5);
  auto untrained = create_llama(cfg);
  const double before = perplexity(*untrained, test, 32, 16).perplexity;
  auto a = trained();
  const double after = perplexity(*a, test, 32, 16).perplexity;
  INFO("held-out perplexity " << before << " -> " << after);
  CHECK(before > 200);  // about the vocabulary size
  CHECK(after < 0.5 * before);
  auto b = trained();
  for (const auto& [name, t] : model_state(*a)) CHECK(torch::equal(t, model_state(*b).at(name)));
}
