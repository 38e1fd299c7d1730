// ptq-spm: SentencePiece in a process of its own, run by framework/text/tokenizer.cpp. Debian's
// libsentencepiece exports its bundled protobuf-lite, which clashes with the libprotobuf that
// LibTorch loads, so the two cannot share a process; this helper links SentencePiece only.
//   ptq-spm info   MODEL OUT        OUT: "<vocab size> <bos id> <eos id>"
//   ptq-spm encode MODEL IN OUT     IN: documents separated by NUL bytes; OUT: one line of
//                                   space-separated ids per document
//   ptq-spm decode MODEL IN OUT     IN: space-separated ids; OUT: the text
//   ptq-spm train  ARGS             SentencePieceTrainer::Train(ARGS)
// Errors go to stderr with exit status 2.
#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

namespace {

int fail(const std::string& what) {
  std::cerr << what << "\n";
  return 2;
}

bool read_all(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> a(argv, argv + argc);
  if (a.size() == 3 && a[1] == "train") {
    const auto status = sentencepiece::SentencePieceTrainer::Train(a[2]);
    return status.ok() ? 0 : fail(status.ToString());
  }
  if (a.size() < 4) return fail("usage: ptq-spm info|encode|decode MODEL [IN] OUT | ptq-spm train ARGS");
  sentencepiece::SentencePieceProcessor sp;
  if (const auto status = sp.Load(a[2]); !status.ok()) return fail(status.ToString());
  std::ofstream out(a.back(), std::ios::binary);
  if (!out) return fail("cannot write " + a.back());
  if (a[1] == "info" && a.size() == 4) {
    out << sp.GetPieceSize() << " " << sp.bos_id() << " " << sp.eos_id() << "\n";
  } else if ((a[1] == "encode" || a[1] == "decode") && a.size() == 5) {
    std::string input;
    if (!read_all(a[3], &input)) return fail("cannot read " + a[3]);
    if (a[1] == "encode") {
      size_t begin = 0;
      while (begin < input.size()) {
        size_t end = input.find('\0', begin);
        if (end == std::string::npos) end = input.size();
        std::vector<int> ids;
        if (const auto status = sp.Encode(input.substr(begin, end - begin), &ids); !status.ok())
          return fail(status.ToString());
        for (size_t i = 0; i < ids.size(); ++i) out << (i ? " " : "") << ids[i];
        out << "\n";
        begin = end + 1;
      }
    } else {
      std::istringstream in(input);
      std::vector<int> ids;
      for (int id; in >> id;) ids.push_back(id);
      std::string text;
      if (const auto status = sp.Decode(ids, &text); !status.ok()) return fail(status.ToString());
      out << text;
    }
  } else {
    return fail("ptq-spm: unknown command or wrong arguments");
  }
  out.flush();
  return out ? 0 : fail("cannot write " + a.back());
}
