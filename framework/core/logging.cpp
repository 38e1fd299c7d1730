#include "framework/core/logging.h"

#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>

namespace ptq {
namespace {
std::mutex g_mutex;
LogLevel g_level = LogLevel::Info;
std::unique_ptr<std::ofstream> g_file;
}  // namespace

void set_log_level(LogLevel level) { g_level = level; }
LogLevel log_level() { return g_level; }

void log_to_file(const std::string& path) {
  std::lock_guard<std::mutex> lock(g_mutex);
  g_file.reset();
  if (!path.empty()) g_file = std::make_unique<std::ofstream>(path, std::ios::app);
}

void log_line(LogLevel level, const std::string& msg) {
  static const char* tags[] = {"debug", "info", "warn", "error"};
  std::lock_guard<std::mutex> lock(g_mutex);
  const std::string line = fmt::format("[{}] {}\n", tags[static_cast<int>(level)], msg);
  if (g_file && *g_file) {
    *g_file << line;
    g_file->flush();
  }
  if (level >= g_level) std::cerr << line;
}

}  // namespace ptq
