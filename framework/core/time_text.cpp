#include "framework/core/time_text.h"

#include <ctime>

namespace ptq {
namespace {

std::string format_time(const char* format, bool utc) {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  if (utc) ::gmtime_r(&t, &tm);
  else ::localtime_r(&t, &tm);
  char buf[64];
  const size_t n = std::strftime(buf, sizeof buf, format, &tm);
  return std::string(buf, n);
}

}  // namespace

std::string local_time_text(const char* format) { return format_time(format, false); }
std::string utc_time_text(const char* format) { return format_time(format, true); }

}  // namespace ptq
