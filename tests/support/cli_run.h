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

inline CliResult ptq_cli(const std::string& args) {
  const std::string cmd = ptq_binary() + " " + args + " 2>&1";
  CliResult r{0, ""};
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::array<char, 512> buf{};
  while (std::fgets(buf.data(), buf.size(), p)) r.output += buf.data();
  const int raw = ::pclose(p);
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return r;
}

}  // namespace ptq::test
