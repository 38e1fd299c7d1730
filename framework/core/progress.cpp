#include "framework/core/progress.h"

#include <fmt/format.h>

#include <cstdio>
#include <unistd.h>

namespace ptq {

ProgressBar::ProgressBar(std::string label, int64_t total, bool enabled)
    : label_(std::move(label)), total_(std::max<int64_t>(total, 1)), enabled_(enabled),
      tty_(::isatty(STDERR_FILENO) != 0), start_(std::chrono::steady_clock::now()) {}

void ProgressBar::update(int64_t done, const std::string& status) {
  if (!enabled_) return;
  const double frac = std::min(1.0, static_cast<double>(done) / total_);
  const int decile = static_cast<int>(frac * 10);
  if (!tty_ && decile == last_decile_) return;
  last_decile_ = decile;
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  constexpr int kWidth = 24;
  const int filled = static_cast<int>(frac * kWidth);
  const std::string bar = std::string(filled, '#') + std::string(kWidth - filled, '.');
  const std::string eta = frac > 0 ? fmt::format("{:.0f}s left", secs / frac - secs) : "";
  std::fprintf(stderr, "%s%s [%s] %3.0f%% %s %s%s", tty_ ? "\r" : "", label_.c_str(), bar.c_str(), frac * 100,
               status.c_str(), eta.c_str(), tty_ ? "\033[K" : "\n");
  std::fflush(stderr);
}

void ProgressBar::finish(const std::string& status) {
  if (!enabled_) return;
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::fprintf(stderr, "%s%s done in %.1fs %s%s\n", tty_ ? "\r" : "", label_.c_str(), secs, status.c_str(),
               tty_ ? "\033[K" : "");
  std::fflush(stderr);
}

}  // namespace ptq
