#include <catch2/catch.hpp>

#include "framework/core/check.h"
#include "framework/data/idx.h"
#include "tests/support/temp_dir.h"

#include <zlib.h>

#include <fstream>

using namespace ptq;
using Catch::Matchers::Contains;

namespace {

std::string idx_bytes(uint8_t type, const std::vector<uint32_t>& dims, size_t payload) {
  std::string s{'\0', '\0', static_cast<char>(type), static_cast<char>(dims.size())};
  for (uint32_t d : dims)
    for (int shift = 24; shift >= 0; shift -= 8) s.push_back(static_cast<char>((d >> shift) & 0xff));
  for (size_t i = 0; i < payload; ++i) s.push_back(static_cast<char>(i * 7 % 251));
  return s;
}

std::string write_gz(const test::TempDir& dir, const std::string& name, const std::string& bytes) {
  const auto path = dir.file(name);
  gzFile f = gzopen(path.c_str(), "wb");
  REQUIRE(f != nullptr);
  REQUIRE(gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())) == static_cast<int>(bytes.size()));
  REQUIRE(gzclose(f) == Z_OK);
  return path;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

}  // namespace

TEST_CASE("data: IDX round-trips through plain and gzip files", "[data]") {
  test::TempDir dir;
  const auto bytes = idx_bytes(0x08, {3, 4, 5}, 60);
  const auto gz = write_gz(dir, "a-idx3-ubyte.gz", bytes);
  const auto plain = dir.write("a-idx3-ubyte", bytes);
  // gzip is detected by content, so the suffix does not matter.
  const auto gz_no_suffix = dir.write("b-idx3-ubyte", slurp(gz));
  for (const auto& path : {gz, plain, gz_no_suffix}) {
    const auto t = data::read_idx(path);
    REQUIRE(t.scalar_type() == torch::kUInt8);
    REQUIRE(t.sizes() == torch::IntArrayRef{3, 4, 5});
    CHECK(t[0][0][1].item<int>() == 7);
    CHECK(t[2][3][4].item<int>() == 59 * 7 % 251);
  }
  const auto labels = data::read_idx(write_gz(dir, "l.gz", idx_bytes(0x08, {6}, 6)));
  CHECK(labels.sizes() == torch::IntArrayRef{6});
}

TEST_CASE("data: IDX errors name the file and the problem", "[data]") {
  test::TempDir dir;
  const auto fails = [](const std::string& path, const std::string& what) {
    REQUIRE_THROWS_AS(data::read_idx(path), UserError);
    REQUIRE_THROWS_WITH(data::read_idx(path), Contains(path) && Contains(what));
  };
  fails(dir.file("missing.gz"), "does not exist");
  fails(dir.write("magic", "\x01\x02\x08\x01" + std::string(8, '\0')), "bad magic");
  fails(dir.write("zero-dims", std::string("\0\0\x08\0", 4)), "bad magic");
  fails(dir.write("type", idx_bytes(0x0D, {2}, 8)), "unsupported type code 0x0d");
  fails(dir.write("short-header", idx_bytes(0x08, {2, 2}, 0).substr(0, 9)), "truncated");
  fails(dir.write("short-data", idx_bytes(0x08, {2, 5}, 9)), "truncated");
  fails(dir.write("long-data", idx_bytes(0x08, {2, 5}, 11)), "dimension product mismatch");
  fails(write_gz(dir, "short-data.gz", idx_bytes(0x08, {4}, 3)), "truncated");

  const auto gz = slurp(write_gz(dir, "ok.gz", idx_bytes(0x08, {100}, 100)));
  std::string corrupt = gz;
  for (size_t i = 10; i < corrupt.size() - 8; ++i) corrupt[i] = static_cast<char>(0xff);
  fails(dir.write("corrupt.gz", corrupt), "corrupt gzip");
  fails(dir.write("cut.gz", gz.substr(0, gz.size() / 2)), "truncated");
}

TEST_CASE("data: a gzip trailer claiming gigabytes is a clear error, not a huge allocation (fuzz finding)",
          "[data]") {
  // The trailer's size field was trusted as the buffer size: 4 GiB for this file before the fix.
  test::TempDir dir;
  const auto path = write_gz(dir, "big.idx.gz", idx_bytes(0x08, {4}, 4));
  auto bytes = slurp(path);
  for (size_t i = bytes.size() - 4; i < bytes.size(); ++i) bytes[i] = static_cast<char>(0xff);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  CHECK_THROWS_WITH(data::read_idx(path), Contains("corrupt gzip data") && Contains("big.idx.gz"));
}

TEST_CASE("data: IDX dimensions whose product overflows 64 bits are refused (fuzz finding)", "[data]") {
  // 2^17 · 2^25 · 2^25 = 2^67 wrapped to 0 and matched an empty payload; LibTorch then threw.
  test::TempDir dir;
  for (const auto& dims : std::vector<std::vector<uint32_t>>{{131072, 33554432, 33554432}, {0, 4294967295u, 4294967295u}}) {
    const auto path = dir.file("big.idx");
    std::ofstream(path, std::ios::binary | std::ios::trunc) << idx_bytes(0x08, dims, 0);
    CHECK_THROWS_WITH(data::read_idx(path), Contains("declares an implausibly large size"));
  }
}
