// OnExit: runs a callable once, either when run() is called or when the guard goes out of
// scope (also during stack unwinding), so state changed for a loop is restored even when the
// loop throws (e.g. a reconstruction stopped by a non-finite loss).
#pragma once

#include <functional>
#include <utility>

namespace ptq {

class OnExit {
 public:
  explicit OnExit(std::function<void()> fn) : fn_(std::move(fn)) {}
  ~OnExit() {
    try {
      run();
    } catch (...) {  // never throw from a destructor; the first error is the one to report
    }
  }
  OnExit(const OnExit&) = delete;
  OnExit& operator=(const OnExit&) = delete;
  void run() {
    if (!fn_) return;
    auto fn = std::move(fn_);
    fn_ = nullptr;
    fn();
  }

 private:
  std::function<void()> fn_;
};

}  // namespace ptq
