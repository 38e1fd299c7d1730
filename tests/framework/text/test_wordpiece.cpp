// WordPiece (BERT uncased) on a small hand-made vocabulary: cleaning, lower-casing and accent
// stripping, punctuation splitting, greedy longest-match pieces, [UNK] and truncation.
#include <catch2/catch.hpp>

#include "framework/text/wordpiece.h"
#include "tests/support/temp_dir.h"

using namespace ptq;
using Pieces = std::vector<std::string>;

namespace {

std::string vocab(const test::TempDir& dir) {
  return dir.write("vocab.txt",
                   "[PAD]\n[UNK]\n[CLS]\n[SEP]\nhello\n,\nworld\n!\nun\n##aff\n##able\n##a\ncafe\ncreme\nbrulee\n"
                   "'\nt\ndon\n.\n3\n##5\n$\n");
}

}  // namespace

TEST_CASE("wordpiece: BERT's basic tokenisation then greedy longest-match pieces", "[text][wordpiece]") {
  test::TempDir dir;
  const text::WordPiece wp(vocab(dir));
  CHECK(wp.vocab_size() == 22);
  CHECK(wp.tokenize("Hello, World!") == Pieces{"hello", ",", "world", "!"});
  CHECK(wp.tokenize("unaffable") == Pieces{"un", "##aff", "##able"});
  CHECK(wp.tokenize("  CAFÉ\tcrème   brûlée ") == Pieces{"cafe", "creme", "brulee"});     // precomposed accents
  CHECK(wp.tokenize("cafe\xcc\x81") == Pieces{"cafe"});                                      // combining accent
  CHECK(wp.tokenize("don't") == Pieces{"don", "'", "t"});
  CHECK(wp.tokenize("$3.5") == Pieces{"$", "3", ".", "[UNK]"});  // "5" has no word-initial piece
  CHECK(wp.tokenize("unknownword") == Pieces{"[UNK]"});          // "un" matches, the rest cannot
  CHECK(wp.tokenize("hel\x01lo\xe2\x80\x8b world") == Pieces{"hello", "world"});  // controls, zero-width space dropped
  CHECK(wp.tokenize(std::string(101, 'a')) == Pieces{"[UNK]"});  // longer than 100 characters
  CHECK(wp.encode("hello world") == std::vector<int64_t>{2, 4, 6, 3});
  CHECK(wp.encode("hello world hello", 4) == std::vector<int64_t>{2, 4, 6, 3});  // truncated, [SEP] kept
  CHECK_THROWS_WITH(text::WordPiece(dir.file("missing.txt")), Catch::Contains("missing.txt"));
  CHECK_THROWS_WITH(text::WordPiece(dir.write("bad.txt", "a\nb\n")), Catch::Contains("[UNK]"));
}
