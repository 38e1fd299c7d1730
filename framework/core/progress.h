// A one-line progress bar on stderr: redrawn in place on a terminal, printed every ~10% when
// stderr is a file or pipe (CI logs stay short).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace ptq {

class ProgressBar {
 public:
  ProgressBar(std::string label, int64_t total, bool enabled = true);
  // Advances to `done` of `total`; `status` is appended (e.g. "loss 0.41 acc 86.2%").
  void update(int64_t done, const std::string& status);
  void finish(const std::string& status);

 private:
  std::string label_;
  int64_t total_;
  bool enabled_, tty_;
  int last_decile_ = -1;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace ptq
