// Runs the real `ptq` binary (from PTQ_TEST_BINARY_DIR, as CTest sets it) the way a user does,
// capturing its exit status and its stdout + stderr.
#pragma once

#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <sys/wait.h>

namespace ptq::test {

inline std::string ptq_binary() {
  const char* bin = std::getenv("PTQ_TEST_BINARY_DIR");
  return std::string(bin ? bin : "build") + "/ptq";
}

struct CliResult {
  int status;
  std::string output;  // stdout + stderr
};

// `prefix` goes before the binary, e.g. "prlimit --fsize=N " to run it under a limit.
inline CliResult ptq_cli_with_prefix(const std::string& prefix, const std::string& args) {
  const std::string cmd = prefix + ptq_binary() + " " + args + " 2>&1";
  CliResult r{0, ""};
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::array<char, 512> buf{};
  while (std::fgets(buf.data(), buf.size(), p)) r.output += buf.data();
  const int raw = ::pclose(p);
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return r;
}

inline CliResult ptq_cli(const std::string& args) { return ptq_cli_with_prefix("", args); }

}  // namespace ptq::test
