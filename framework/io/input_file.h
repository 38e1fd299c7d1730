// InputFile — a read-only handle on a regular file with positioned reads.
//
// Why: loaders (safetensors, raw dumps) must treat files as untrusted input. They need the
// true size before trusting any length field inside the file, and they want to read a
// tensor's bytes straight into its own storage instead of slurping the whole file first
// (checkpoints can be larger than free memory twice over). Opening fails with a
// ptq::UserError that names the path and the OS reason (missing, a directory, no
// permission); a read past the end, or a short read because the file shrank while we were
// reading it, is also a UserError naming the path. Move-only; closes on destruction.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace ptq::io {

class InputFile {
 public:
  explicit InputFile(const std::string& path);
  ~InputFile();
  InputFile(InputFile&& other) noexcept;
  InputFile& operator=(InputFile&& other) noexcept;
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  const std::string& path() const { return path_; }
  // Size in bytes, taken once when the file was opened.
  uint64_t size() const { return size_; }
  // Reads exactly `n` bytes starting at `offset` into `dst`; throws UserError otherwise.
  void read_at(uint64_t offset, void* dst, size_t n) const;

 private:
  std::string path_;
  int fd_ = -1;
  uint64_t size_ = 0;
};

}  // namespace ptq::io
