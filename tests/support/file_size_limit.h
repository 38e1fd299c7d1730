// A scoped lower file-size limit (RLIMIT_FSIZE) with SIGXFSZ ignored, so that writes past it
// fail with EFBIG like writes to a full disk (this works even as root, unlike filling a real
// file system). Restores the limit and the signal handler on destruction.
#pragma once

#include <csignal>

#include <sys/resource.h>

namespace ptq::test {

class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    ::getrlimit(RLIMIT_FSIZE, &old_);
    old_handler_ = std::signal(SIGXFSZ, SIG_IGN);
    rlimit lim = old_;
    lim.rlim_cur = bytes;
    ::setrlimit(RLIMIT_FSIZE, &lim);
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &old_);
    std::signal(SIGXFSZ, old_handler_);
  }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;

 private:
  rlimit old_{};
  void (*old_handler_)(int) = nullptr;
};

}  // namespace ptq::test
