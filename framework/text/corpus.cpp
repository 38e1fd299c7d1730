#include "framework/text/corpus.h"

#include "framework/core/check.h"
#include "framework/io/atomic_file.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace fs = std::filesystem;

namespace ptq::text {
namespace {

std::string trim_blank_lines(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

}  // namespace

TextCorpus read_fortunes(const std::string& dir, int64_t holdout_every) {
  PTQ_CHECK(holdout_every >= 2, "read_fortunes: holdout_every must be at least 2, got {}", holdout_every);
  PTQ_CHECK(fs::is_directory(dir), "the fortunes corpus folder '{}' does not exist; install Debian's `fortunes` "
                                   "package (scripts/setup.sh does) or set data.root",
            dir);
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    const auto ext = e.path().extension().string();
    if (e.is_regular_file() && !e.is_symlink() && ext != ".dat" && ext != ".u8") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  TextCorpus c;
  c.source = fmt::format("fortunes ({} databases in {})", files.size(), dir);
  int64_t index = 0;
  std::set<std::string> seen;  // the databases repeat some entries: each text counts once
  for (const auto& f : files) {
    std::ifstream in(f);
    PTQ_CHECK(in.good(), "cannot read '{}'", f.string());
    std::string line, entry;
    auto flush = [&] {
      auto text = trim_blank_lines(entry);
      entry.clear();
      if (text.empty() || !seen.insert(text).second) return;
      (index % holdout_every == holdout_every - 1 ? c.test : c.train).push_back(std::move(text));
      ++index;
    };
    while (std::getline(in, line)) {
      if (line == "%") {
        flush();
      } else {
        entry += line;
        entry += '\n';
      }
    }
    flush();
  }
  PTQ_CHECK(!c.train.empty() && !c.test.empty(), "the fortunes corpus in '{}' holds no entries", dir);
  return c;
}

torch::Tensor token_stream(const Tokenizer& tokenizer, const std::vector<std::string>& documents) {
  std::vector<int64_t> ids;
  if (tokenizer.bos_id() >= 0) ids.push_back(tokenizer.bos_id());
  for (const auto& t : tokenizer.encode_all(documents)) {
    ids.insert(ids.end(), t.begin(), t.end());
    if (tokenizer.eos_id() >= 0) ids.push_back(tokenizer.eos_id());
  }
  return torch::tensor(ids, torch::kLong);
}

void write_lines(const std::string& path, const std::vector<std::string>& documents) {
  std::string out;
  for (const auto& d : documents) {
    std::string line = d;
    std::replace(line.begin(), line.end(), '\n', ' ');
    out += line;
    out += '\n';
  }
  io::write_text_atomic(path, out);
}

}  // namespace ptq::text
