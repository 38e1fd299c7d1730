// ptq_fuzz_smoke TARGET CORPUS_DIR [SECONDS] [SEED] — the fuzz targets without libFuzzer (any
// compiler): replays every file of the corpus, then feeds random mutations of them (bit flips,
// byte changes, insertions, deletions, truncations, splices) for SECONDS (default 10). Exit
// status 0 when every input succeeded or was refused with a UserError; a finding aborts and the
// input is written to fuzz-finding-TARGET.bin in the working directory. The test
// suite runs it briefly per target (tests/fuzz/CMakeLists.txt); scripts/fuzz.sh runs the real
// coverage-guided fuzzer.
#include "tests/fuzz/fuzz_targets.h"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>

#include <fcntl.h>
#include <unistd.h>

namespace {

// The input being run, written to fuzz-finding-<target>.bin when it crashes or aborts, so that it
// can be replayed and turned into a regression test.
const std::vector<uint8_t>* g_current = nullptr;
char g_finding_path[256] = "fuzz-finding.bin";

extern "C" void save_finding(int sig) {
  if (sig == SIGALRM) {
    static const char msg[] = "fuzz finding: an input ran longer than the time limit (hang)\n";
    if (::write(2, msg, sizeof msg - 1) < 0) {}
    sig = SIGABRT;
  }
  if (g_current) {
    const int fd = ::open(g_finding_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      if (::write(fd, g_current->data(), g_current->size()) < 0) {}
      ::close(fd);
    }
  }
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

// Seconds one input may take before it counts as a hang (a finding, like a crash).
constexpr unsigned kInputTimeout = 10;

void run(ptq::fuzz::Target target, const std::vector<uint8_t>& in) {
  g_current = &in;
  ::alarm(kInputTimeout);
  ptq::fuzz::run_one(target, in.data(), in.size());
  ::alarm(0);
  g_current = nullptr;
}

std::vector<uint8_t> mutate(std::vector<uint8_t> in, const std::vector<std::vector<uint8_t>>& corpus, std::mt19937_64& rng) {
  auto pick = [&](size_t n) { return n ? static_cast<size_t>(rng() % n) : 0; };
  const int edits = 1 + static_cast<int>(rng() % 8);
  for (int e = 0; e < edits; ++e) {
    switch (rng() % 6) {
      case 0: if (!in.empty()) in[pick(in.size())] ^= static_cast<uint8_t>(1u << (rng() % 8)); break;
      case 1: if (!in.empty()) in[pick(in.size())] = static_cast<uint8_t>(rng()); break;
      case 2: in.insert(in.begin() + static_cast<long>(pick(in.size() + 1)), static_cast<uint8_t>(rng())); break;
      case 3: if (!in.empty()) in.erase(in.begin() + static_cast<long>(pick(in.size()))); break;
      case 4: in.resize(pick(in.size() + 1)); break;
      default: {
        const auto& other = corpus[pick(corpus.size())];
        if (other.empty()) break;
        const size_t from = pick(other.size()), len = 1 + pick(std::min<size_t>(64, other.size() - from));
        in.insert(in.begin() + static_cast<long>(pick(in.size() + 1)), other.begin() + static_cast<long>(from),
                  other.begin() + static_cast<long>(from + len));
      }
    }
  }
  return in;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: ptq_fuzz_smoke TARGET CORPUS_DIR [SECONDS] [SEED]\n");
    return 2;
  }
  ptq::fuzz::Target target = nullptr;
  for (const auto& t : ptq::fuzz::targets())
    if (std::strcmp(t.name, argv[1]) == 0) target = t.run;
  if (!target) {
    std::fprintf(stderr, "unknown fuzz target '%s'\n", argv[1]);
    return 2;
  }
  const double seconds = argc > 3 ? std::stod(argv[3]) : 10.0;
  std::snprintf(g_finding_path, sizeof g_finding_path, "fuzz-finding-%s.bin", argv[1]);
  for (int sig : {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL, SIGALRM}) std::signal(sig, save_finding);
  std::mt19937_64 rng(argc > 4 ? std::stoull(argv[4]) : 1);
  std::vector<std::vector<uint8_t>> corpus;
  for (const auto& e : std::filesystem::directory_iterator(argv[2])) {
    std::ifstream f(e.path(), std::ios::binary);
    corpus.emplace_back(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  }
  if (corpus.empty()) {
    std::fprintf(stderr, "corpus '%s' is empty\n", argv[2]);
    return 2;
  }
  for (const auto& in : corpus) run(target, in);
  long runs = static_cast<long>(corpus.size());
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < end) {
    const auto in = mutate(corpus[rng() % corpus.size()], corpus, rng);
    run(target, in);
    ++runs;
  }
  std::printf("%s: %ld inputs (%zu from the corpus), no findings\n", argv[1], runs, corpus.size());
  return 0;
}
