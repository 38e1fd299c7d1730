#include "framework/text/tokenizer.h"

#include "framework/core/check.h"
#include "framework/core/strings.h"
#include "framework/io/atomic_file.h"
#include "framework/io/spill_file.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <sstream>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace fs = std::filesystem;

namespace ptq::text {
namespace {

// A scratch folder for one helper call, removed afterwards.
class Scratch {
 public:
  Scratch() {
    std::string pattern = io::spill_directory("") + "/ptq-spm-XXXXXX";
    PTQ_CHECK(::mkdtemp(pattern.data()) != nullptr, "tokenizer: cannot create a scratch folder in {}: {}",
              fs::path(pattern).parent_path().string(), std::strerror(errno));
    dir_ = pattern;
  }
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string file(const std::string& name) const { return (fs::path(dir_) / name).string(); }

 private:
  std::string dir_;
};

// Runs the helper with `args`; throws with its stderr unless it exits 0.
void run_helper(const std::vector<std::string>& args, const Scratch& scratch, const std::string& what) {
  const std::string helper = spm_helper_path();
  std::vector<std::string> all{helper};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : all) argv.push_back(s.data());
  argv.push_back(nullptr);
  const std::string err_path = scratch.file("stderr");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  pid_t pid = 0;
  const int rc = ::posix_spawn(&pid, helper.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  PTQ_CHECK(rc == 0, "{}: cannot start the tokenizer helper '{}': {}", what, helper, std::strerror(rc));
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return;
  std::string err = fs::exists(err_path) ? trim(io::read_file(err_path)) : "";
  PTQ_FAIL("{}: {}", what,
           err.empty() ? fmt::format("the tokenizer helper '{}' failed (status {})", helper, status) : err);
}

std::vector<int64_t> parse_ids(const std::string& line) {
  std::vector<int64_t> ids;
  std::istringstream in(line);
  for (int64_t id; in >> id;) ids.push_back(id);
  return ids;
}

}  // namespace

std::string spm_helper_path() {
  std::vector<std::string> tried;
  if (const char* env = std::getenv("PTQ_SPM"); env && *env) {
    PTQ_CHECK(::access(env, X_OK) == 0, "PTQ_SPM='{}' is not an executable; unset it or point it at ptq-spm", env);
    return env;
  }
  std::error_code ec;
  const auto self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) tried.push_back((self.parent_path() / "ptq-spm").string());
  tried.push_back(std::string(PTQ_BINARY_DIR) + "/ptq-spm");
  for (const auto& t : tried)
    if (::access(t.c_str(), X_OK) == 0) return t;
  PTQ_FAIL("the tokenizer helper ptq-spm was not found (tried {}); build it (it is built with ptq) or set PTQ_SPM",
           join(tried, ", "));
}

Tokenizer::Tokenizer(const std::string& model_path) : path_(model_path) {
  PTQ_CHECK(fs::exists(model_path),
            "tokenizer '{}' does not exist; give the SentencePiece tokenizer.model of the checkpoint", model_path);
  Scratch s;
  try {
    run_helper({"info", model_path, s.file("info")}, s, fmt::format("tokenizer '{}'", model_path));
  } catch (const UserError& e) {
    PTQ_FAIL("{} — it is not a SentencePiece model; LLaMA-style checkpoints ship one as tokenizer.model "
             "(tokenizer.json alone is not read)",
             e.what());
  }
  std::istringstream in(io::read_file(s.file("info")));
  PTQ_CHECK(static_cast<bool>(in >> vocab_size_ >> bos_id_ >> eos_id_) && vocab_size_ > 0,
            "tokenizer '{}': the helper gave no vocabulary size", model_path);
}

std::vector<std::vector<int64_t>> Tokenizer::encode_all(const std::vector<std::string>& documents) const {
  Scratch s;
  std::string input;
  for (const auto& d : documents) {
    PTQ_CHECK(d.find('\0') == std::string::npos, "tokenizer: a document holds a NUL byte; the text is not plain text");
    input += d;
    input += '\0';
  }
  io::write_file_atomic(s.file("in"), input);
  run_helper({"encode", path_, s.file("in"), s.file("out")}, s, fmt::format("tokenizer '{}'", path_));
  std::vector<std::vector<int64_t>> out;
  std::istringstream lines(io::read_file(s.file("out")));
  for (std::string line; std::getline(lines, line);) out.push_back(parse_ids(line));
  PTQ_INTERNAL_ASSERT(out.size() == documents.size(), "tokenizer helper returned {} lines for {} documents",
                      out.size(), documents.size());
  return out;
}

std::vector<int64_t> Tokenizer::encode(const std::string& text) const { return encode_all({text}).front(); }

std::string Tokenizer::decode(const std::vector<int64_t>& ids) const {
  Scratch s;
  std::string input;
  for (const auto id : ids) input += fmt::format("{} ", id);
  io::write_file_atomic(s.file("in"), input);
  run_helper({"decode", path_, s.file("in"), s.file("out")}, s, fmt::format("tokenizer '{}'", path_));
  return io::read_file(s.file("out"));
}

std::string train_tokenizer(const std::string& text_file, const std::string& prefix, const TokenizerTrainOptions& o) {
  PTQ_CHECK(o.model_type == "bpe" || o.model_type == "unigram",
            "tokenizer.model_type: expected bpe or unigram, got \"{}\"", o.model_type);
  PTQ_CHECK(o.vocab_size >= 64, "tokenizer.vocab_size: expected at least 64, got {}", o.vocab_size);
  PTQ_CHECK(fs::exists(text_file), "tokenizer training text '{}' does not exist", text_file);
  // LLaMA's conventions: <unk>=0, <s>=1, </s>=2, no padding id; digits split; byte fallback.
  const std::string args = fmt::format(
      "--input={} --model_prefix={} --vocab_size={} --model_type={} --character_coverage={} --num_threads=1 "
      "--input_sentence_size=0 --shuffle_input_sentence=false --split_digits=true --byte_fallback=true "
      "--unk_id=0 --bos_id=1 --eos_id=2 --pad_id=-1 --minloglevel=2 --max_sentence_length=16384",
      text_file, prefix, o.vocab_size, o.model_type, o.character_coverage);
  Scratch s;
  run_helper({"train", args}, s,
             fmt::format("training a SentencePiece tokenizer on '{}' (a smaller tokenizer.vocab_size helps when "
                         "the text is short)",
                         text_file));
  return prefix + ".model";
}

}  // namespace ptq::text
