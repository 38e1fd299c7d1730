#include "framework/io/spill_file.h"

#include "framework/core/check.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

namespace ptq::io {

std::string spill_directory(const std::string& configured) {
  if (!configured.empty()) return configured;
  const char* tmp = std::getenv("TMPDIR");
  return tmp && *tmp ? tmp : "/tmp";
}

int create_spill_file(const std::string& configured_dir, int64_t bytes, const std::string& what,
                      const std::string& fix) {
  const auto dir = spill_directory(configured_dir);
  std::string path = dir + "/ptq-spill-XXXXXX";
  const int fd = ::mkstemp(path.data());
  PTQ_CHECK(fd >= 0, "{}: cannot create a spill file in {}: {} ({})", what, dir, std::strerror(errno), fix);
  ::unlink(path.c_str());  // removed from the folder now, freed when closed
  if (bytes > 0) {
    const int err = ::posix_fallocate(fd, 0, bytes);
    if (err != 0) {
      ::close(fd);
      PTQ_FAIL("{}: cannot reserve {:.1f} MiB on disk in {}: {} (free disk space, or {})", what,
               static_cast<double>(bytes) / (1 << 20), dir, std::strerror(err), fix);
    }
  }
  return fd;
}

}  // namespace ptq::io
