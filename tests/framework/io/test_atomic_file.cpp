#include <catch2/catch.hpp>

#include <filesystem>

#include <sys/stat.h>
#include <unistd.h>

#include "framework/core/check.h"
#include "framework/io/atomic_file.h"
#include "tests/support/file_size_limit.h"
#include "tests/support/temp_dir.h"

using namespace ptq;
using Catch::Contains;
namespace fs = std::filesystem;

namespace {

size_t count_entries(const fs::path& dir) {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++n;
  return n;
}

}  // namespace

TEST_CASE("write_file_atomic writes, overwrites and creates parent directories", "[io]") {
  test::TempDir dir;
  const std::string path = dir.file("a/b/c.bin");
  const std::string bytes("x\0y\xff", 4);
  io::write_file_atomic(path, bytes);
  CHECK(io::read_file(path) == bytes);
  io::write_text_atomic(path, "second");
  CHECK(io::read_file(path) == "second");
  io::write_file_atomic(path, "");
  CHECK(io::read_file(path).empty());
  CHECK(count_entries(dir.path() / "a/b") == 1);  // no temporaries left behind
}

TEST_CASE("write_file_atomic onto a directory fails and leaves it intact", "[io]") {
  test::TempDir dir;
  const std::string target = dir.file("out");
  fs::create_directories(fs::path(target) / "inner");
  REQUIRE_THROWS_WITH(io::write_file_atomic(target, "data"),
                      Contains("cannot write '" + target + "'") && Contains("renaming") &&
                          Contains("directory"));
  CHECK(fs::is_directory(fs::path(target) / "inner"));
  CHECK(count_entries(dir.path()) == 1);  // the temporary was removed
}

TEST_CASE("a failed write keeps the old file and removes the temporary", "[io]") {
  test::TempDir dir;
  const std::string path = dir.write("model.bin", "old contents");
  {
    test::FileSizeLimit limit(16);
    REQUIRE_THROWS_WITH(io::write_file_atomic(path, std::string(4096, 'n')),
                        Contains("cannot write '" + path + "'") && Contains("writing failed"));
  }
  CHECK(io::read_file(path) == "old contents");
  CHECK(count_entries(dir.path()) == 1);
}

TEST_CASE("write_file_atomic into a read-only directory keeps the old file", "[io]") {
  if (::geteuid() == 0) {
    WARN("running as root: directory permissions are not enforced, skipping");
    return;
  }
  test::TempDir dir;
  const std::string path = dir.write("ro/file.txt", "old");
  fs::permissions(dir.path() / "ro", fs::perms::owner_read | fs::perms::owner_exec);
  REQUIRE_THROWS_WITH(io::write_file_atomic(path, "new"),
                      Contains(path) && Contains("Permission denied"));
  fs::permissions(dir.path() / "ro", fs::perms::owner_all);
  CHECK(io::read_file(path) == "old");
}

TEST_CASE("write_file_atomic reports a parent that is a file", "[io]") {
  test::TempDir dir;
  const std::string blocker = dir.write("blocker", "x");
  REQUIRE_THROWS_AS(io::write_file_atomic(blocker + "/sub/f.txt", "x"), UserError);
  REQUIRE_THROWS_WITH(io::write_file_atomic(blocker + "/sub/f.txt", "x"),
                      Contains("creating directory"));
  CHECK(io::read_file(blocker) == "x");
}

TEST_CASE("read_file names missing and non-regular paths", "[io]") {
  test::TempDir dir;
  const std::string missing = dir.file("nope.txt");
  REQUIRE_THROWS_WITH(io::read_file(missing),
                      Contains("'" + missing + "'") && Contains("No such file"));
  REQUIRE_THROWS_WITH(io::read_file(dir.path().string()), Contains("is a directory"));
  REQUIRE_THROWS_WITH(io::read_file(""), Contains("path is empty"));
}
