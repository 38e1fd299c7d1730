#include "framework/io/input_file.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "framework/core/check.h"

namespace ptq::io {

InputFile::InputFile(const std::string& path) : path_(path) {
  PTQ_CHECK(!path.empty(), "cannot read a file: the path is empty; pass the path of an existing file");
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) {
    const int err = errno;
    PTQ_FAIL("cannot open '{}' for reading: {}; check that the path exists and is readable", path,
             std::strerror(err));
  }
  struct stat st {};
  if (::fstat(fd_, &st) != 0) {
    const int err = errno;
    ::close(fd_);
    fd_ = -1;
    PTQ_FAIL("cannot stat '{}': {}", path, std::strerror(err));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd_);
    fd_ = -1;
    PTQ_FAIL("cannot read '{}': it is {}, not a regular file; pass the path of a file", path,
             S_ISDIR(st.st_mode) ? "a directory" : "a special file");
  }
  size_ = static_cast<uint64_t>(st.st_size);
}

InputFile::~InputFile() {
  if (fd_ >= 0) ::close(fd_);
}

InputFile::InputFile(InputFile&& other) noexcept
    : path_(std::move(other.path_)), fd_(std::exchange(other.fd_, -1)), size_(other.size_) {}

InputFile& InputFile::operator=(InputFile&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    path_ = std::move(other.path_);
    fd_ = std::exchange(other.fd_, -1);
    size_ = other.size_;
  }
  return *this;
}

void InputFile::read_at(uint64_t offset, void* dst, size_t n) const {
  PTQ_INTERNAL_ASSERT(fd_ >= 0, "read from a closed InputFile");
  PTQ_CHECK(offset <= size_ && n <= size_ - offset,
            "cannot read {} bytes at offset {} of '{}': the file is only {} bytes long", n, offset,
            path_, size_);
  auto* out = static_cast<char*>(dst);
  size_t done = 0;
  while (done < n) {
    // Bounded chunks: some kernels reject single reads above ~2 GiB.
    const size_t chunk = std::min<size_t>(n - done, size_t{1} << 30);
    const ssize_t got = ::pread(fd_, out + done, chunk, static_cast<off_t>(offset + done));
    if (got < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      PTQ_FAIL("error reading '{}' at offset {}: {}", path_, offset + done, std::strerror(err));
    }
    PTQ_CHECK(got > 0,
              "unexpected end of '{}' at offset {} (expected {} bytes); was the file truncated "
              "while being read?",
              path_, offset + done, size_);
    done += static_cast<size_t>(got);
  }
}

}  // namespace ptq::io
