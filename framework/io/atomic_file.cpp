#include "framework/io/atomic_file.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>
#include <utility>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "framework/core/check.h"
#include "framework/io/input_file.h"

namespace fs = std::filesystem;

namespace ptq::io {
namespace {

// Closes and unlinks the temporary unless released after a successful rename.
class TempFile {
 public:
  TempFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~TempFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!path_.empty()) ::unlink(path_.c_str());
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  int fd() const { return fd_; }
  const std::string& path() const { return path_; }
  // Closes the descriptor; returns errno on failure (0 on success).
  int close() {
    const int rc = ::close(fd_);
    fd_ = -1;
    return rc == 0 ? 0 : errno;
  }
  void release() { path_.clear(); }

 private:
  int fd_;
  std::string path_;
};

[[noreturn]] void fail(const std::string& path, const char* step, int err) {
  PTQ_FAIL("cannot write '{}': {} failed: {}; check that the directory exists, is writable and "
           "has free space",
           path, step, std::strerror(err));
}

TempFile create_temp_beside(const std::string& path, const fs::path& dir) {
  static std::atomic<unsigned> counter{0};
  const std::string base = fs::path(path).filename().string();
  for (int attempt = 0;; ++attempt) {
    const fs::path tmp = dir / fmt::format(".{}.tmp.{}.{}", base, ::getpid(), counter++);
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0) return TempFile(fd, tmp.string());
    const int err = errno;
    // A stale temporary from a crashed process with a recycled pid: try another name.
    if (err != EEXIST || attempt >= 100) fail(path, "creating a temporary file", err);
  }
}

void write_all(const TempFile& tmp, const std::string& target, const std::string& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    const size_t chunk = std::min<size_t>(bytes.size() - done, size_t{1} << 30);
    const ssize_t n = ::write(tmp.fd(), bytes.data() + done, chunk);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail(target, "writing", errno);
    }
    done += static_cast<size_t>(n);
  }
}

void fsync_directory(const fs::path& dir) {
  // Best effort: makes the rename durable; some filesystems refuse fsync on directories.
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

void write_file_atomic(const std::string& path, const std::string& bytes) {
  PTQ_CHECK(!path.empty(), "cannot write a file: the path is empty; pass an output path");
  const fs::path target(path);
  PTQ_CHECK(target.has_filename(), "cannot write '{}': the path names a directory, not a file",
            path);
  fs::path dir = target.parent_path();
  if (dir.empty()) dir = ".";

  std::error_code ec;
  fs::create_directories(dir, ec);
  PTQ_CHECK(!ec, "cannot write '{}': creating directory '{}' failed: {}", path, dir.string(),
            ec.message());

  TempFile tmp = create_temp_beside(path, dir);
  write_all(tmp, path, bytes);
  if (::fsync(tmp.fd()) != 0) fail(path, "fsync", errno);
  if (const int err = tmp.close(); err != 0) fail(path, "closing the temporary file", err);
  if (::rename(tmp.path().c_str(), path.c_str()) != 0) {
    fail(path, "renaming the temporary file over it", errno);
  }
  tmp.release();
  fsync_directory(dir);
}

void write_text_atomic(const std::string& path, const std::string& text) {
  write_file_atomic(path, text);
}

std::string read_file(const std::string& path) {
  const InputFile file(path);
  PTQ_CHECK(file.size() <= std::string().max_size(), "cannot read '{}': it is too large ({} bytes)",
            path, file.size());
  std::string bytes(static_cast<size_t>(file.size()), '\0');
  if (!bytes.empty()) file.read_at(0, bytes.data(), bytes.size());
  return bytes;
}

}  // namespace ptq::io
