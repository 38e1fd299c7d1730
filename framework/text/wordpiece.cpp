#include "framework/text/wordpiece.h"

#include "framework/core/check.h"

#include <fstream>

namespace ptq::text {
namespace {

// Decodes UTF-8 into code points (invalid bytes become U+FFFD).
std::vector<char32_t> decode_utf8(const std::string& s) {
  std::vector<char32_t> out;
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    int n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) {
      out.push_back(0xFFFD);
      ++i;
      continue;
    }
    char32_t cp = n == 1 ? c : c & (0x7F >> n);
    for (int k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    out.push_back(cp);
    i += n;
  }
  return out;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Unicode classes as BERT's BasicTokenizer uses them (space separators Zs; controls Cc and Cf).
bool is_whitespace(char32_t c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) ||
         c == 0x202F || c == 0x205F || c == 0x3000;
}
bool is_control(char32_t c) {
  if (is_whitespace(c)) return false;
  return c < 0x20 || (c >= 0x7F && c < 0xA0) || c == 0xAD || (c >= 0x200B && c <= 0x200F) ||
         (c >= 0x202A && c <= 0x202E) || (c >= 0x2060 && c <= 0x2064) || (c >= 0x2066 && c <= 0x206F) || c == 0xFEFF;
}
bool is_punctuation(char32_t c) {
  return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126) ||
         (c >= 0x2000 && c <= 0x206F) || c == 0xA1 || c == 0xA7 || c == 0xAB || c == 0xB6 || c == 0xB7 ||
         c == 0xBB || c == 0xBF;
}
bool is_cjk(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

// Lower case without accents (lower(), NFD, combining marks dropped) for ASCII and U+00C0..U+017F
// (Latin-1 and Latin Extended-A letters); the table was generated from the Unicode database.
char32_t fold(char32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 32;
  if (c < 0xC0 || c > 0x17F) return c;
  static const char32_t latin[] = {
      0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0xE6, 0x63, 0x65, 0x65, 0x65, 0x65, 0x69, 0x69, 0x69, 0x69,
      0xF0, 0x6E, 0x6F, 0x6F, 0x6F, 0x6F, 0x6F, 0xD7, 0xF8, 0x75, 0x75, 0x75, 0x75, 0x79, 0xFE, 0xDF,
      0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0xE6, 0x63, 0x65, 0x65, 0x65, 0x65, 0x69, 0x69, 0x69, 0x69,
      0xF0, 0x6E, 0x6F, 0x6F, 0x6F, 0x6F, 0x6F, 0xF7, 0xF8, 0x75, 0x75, 0x75, 0x75, 0x79, 0xFE, 0x79,
      0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x64, 0x64,
      0x111, 0x111, 0x65, 0x65, 0x65, 0x65, 0x65, 0x65, 0x65, 0x65, 0x65, 0x65, 0x67, 0x67, 0x67, 0x67,
      0x67, 0x67, 0x67, 0x67, 0x68, 0x68, 0x127, 0x127, 0x69, 0x69, 0x69, 0x69, 0x69, 0x69, 0x69, 0x69,
      0x69, 0x131, 0x133, 0x133, 0x6A, 0x6A, 0x6B, 0x6B, 0x138, 0x6C, 0x6C, 0x6C, 0x6C, 0x6C, 0x6C, 0x140,
      0x140, 0x142, 0x142, 0x6E, 0x6E, 0x6E, 0x6E, 0x6E, 0x6E, 0x149, 0x14B, 0x14B, 0x6F, 0x6F, 0x6F, 0x6F,
      0x6F, 0x6F, 0x153, 0x153, 0x72, 0x72, 0x72, 0x72, 0x72, 0x72, 0x73, 0x73, 0x73, 0x73, 0x73, 0x73,
      0x73, 0x73, 0x74, 0x74, 0x74, 0x74, 0x167, 0x167, 0x75, 0x75, 0x75, 0x75, 0x75, 0x75, 0x75, 0x75,
      0x75, 0x75, 0x75, 0x75, 0x77, 0x77, 0x79, 0x79, 0x79, 0x7A, 0x7A, 0x7A, 0x7A, 0x7A, 0x7A, 0x17F,
  };
  return latin[c - 0xC0];
}

}  // namespace

WordPiece::WordPiece(const std::string& vocab_path) : path_(vocab_path) {
  std::ifstream in(vocab_path);
  PTQ_CHECK(in.good(), "cannot read the WordPiece vocabulary '{}' (vocab.txt of a BERT model)", vocab_path);
  std::string line;
  int64_t i = 0;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    ids_.emplace(line, i++);
  }
  for (auto [name, slot] : {std::pair{"[UNK]", &unk_}, {"[CLS]", &cls_}, {"[SEP]", &sep_}}) {
    const auto it = ids_.find(name);
    PTQ_CHECK(it != ids_.end(), "the WordPiece vocabulary '{}' has no {} token; it is not a BERT vocab.txt", vocab_path,
              name);
    *slot = it->second;
  }
}

int64_t WordPiece::id(const std::string& piece) const {
  const auto it = ids_.find(piece);
  return it == ids_.end() ? unk_ : it->second;
}

std::vector<std::string> WordPiece::tokenize(const std::string& text) const {
  std::vector<std::u32string> words(1);
  for (char32_t c : decode_utf8(text)) {
    if (c == 0 || c == 0xFFFD || is_control(c)) continue;
    PTQ_CHECK(!is_cjk(c), "WordPiece: CJK text is not supported by ptq's BERT tokenizer");
    if (c >= 0x300 && c <= 0x36F) continue;  // combining accents are stripped
    if (is_whitespace(c)) {
      if (!words.back().empty()) words.emplace_back();
      continue;
    }
    c = fold(c);
    if (is_punctuation(c)) {
      if (!words.back().empty()) words.emplace_back();
      words.back().push_back(c);
      words.emplace_back();
      continue;
    }
    words.back().push_back(c);
  }
  std::vector<std::string> pieces;
  for (const auto& w : words) {
    if (w.empty()) continue;
    if (w.size() > 100) {
      pieces.push_back("[UNK]");
      continue;
    }
    std::vector<std::string> sub;
    size_t start = 0;
    bool bad = false;
    while (start < w.size()) {
      size_t end = w.size();
      std::string found;
      while (end > start) {
        std::string s = start > 0 ? "##" : "";
        for (size_t k = start; k < end; ++k) append_utf8(s, w[k]);
        if (ids_.count(s)) {
          found = s;
          break;
        }
        --end;
      }
      if (found.empty()) {
        bad = true;
        break;
      }
      sub.push_back(found);
      start = end;
    }
    if (bad)
      pieces.push_back("[UNK]");
    else
      pieces.insert(pieces.end(), sub.begin(), sub.end());
  }
  return pieces;
}

std::vector<int64_t> WordPiece::encode(const std::string& text, int64_t max_tokens) const {
  PTQ_CHECK(max_tokens >= 2, "WordPiece::encode: max_tokens must be at least 2, got {}", max_tokens);
  std::vector<int64_t> ids{cls_};
  for (const auto& p : tokenize(text)) {
    if (static_cast<int64_t>(ids.size()) + 1 >= max_tokens) break;
    ids.push_back(id(p));
  }
  ids.push_back(sep_);
  return ids;
}

}  // namespace ptq::text
