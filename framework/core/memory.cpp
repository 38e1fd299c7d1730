#include "framework/core/memory.h"

#include <fstream>
#include <string>

namespace ptq {
namespace {

int64_t status_kib(const std::string& key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.compare(0, key.size(), key) == 0 && line.size() > key.size() && line[key.size()] == ':')
      return std::stoll(line.substr(key.size() + 1)) * 1024;
  return 0;
}

}  // namespace

int64_t peak_rss_bytes() { return status_kib("VmHWM"); }
int64_t current_rss_bytes() { return status_kib("VmRSS"); }

bool reset_peak_rss() {
  std::ofstream out("/proc/self/clear_refs");
  if (!out) return false;
  out << "5";
  return static_cast<bool>(out.flush());
}

}  // namespace ptq
