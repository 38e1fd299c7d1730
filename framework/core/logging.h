// Minimal leveled logging to stderr, optionally mirrored into a run's log file.
// Runs call log_to_file() once their directory exists, so every line also lands in run.log.
#pragma once

#include <fmt/format.h>

#include <string>

namespace ptq {

enum class LogLevel { Debug = 0, Info = 1, Warn = 2, Error = 3 };

void set_log_level(LogLevel level);
LogLevel log_level();
// Mirror log lines into `path` (appending); empty path stops mirroring.
void log_to_file(const std::string& path);
void log_line(LogLevel level, const std::string& msg);

template <typename... Args>
void log_info(fmt::format_string<Args...> f, Args&&... args) {
  log_line(LogLevel::Info, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void log_warn(fmt::format_string<Args...> f, Args&&... args) {
  log_line(LogLevel::Warn, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void log_debug(fmt::format_string<Args...> f, Args&&... args) {
  log_line(LogLevel::Debug, fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace ptq
