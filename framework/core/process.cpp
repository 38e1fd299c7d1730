#include "framework/core/process.h"

#include "framework/core/strings.h"

#include <array>
#include <cstdio>

#include <sys/wait.h>

namespace ptq {

CommandOutput run_command(const std::string& command) {
  CommandOutput r;
  FILE* p = ::popen(command.c_str(), "r");
  if (!p) return r;
  std::array<char, 512> buf{};
  while (std::fgets(buf.data(), buf.size(), p)) r.output += buf.data();
  const int status = ::pclose(p);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 255;
  r.output = trim(r.output);
  return r;
}

}  // namespace ptq
