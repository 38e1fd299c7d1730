#include "framework/data/compressed_file.h"

#include "framework/core/check.h"

#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>

namespace ptq::data {

std::vector<uint8_t> read_file_bytes(const std::string& path) {
  std::error_code ec;
  PTQ_CHECK(std::filesystem::exists(path, ec), "file '{}' does not exist; hint: check the path", path);
  PTQ_CHECK(!std::filesystem::is_directory(path, ec), "'{}' is a directory, expected a file", path);
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  PTQ_CHECK(f != nullptr, "cannot open file '{}': {}", path, std::strerror(errno));
  std::vector<uint8_t> bytes;
  const auto size = std::filesystem::file_size(path, ec);
  if (!ec) bytes.reserve(size);
  uint8_t buf[1 << 16];
  size_t got;
  while ((got = std::fread(buf, 1, sizeof buf, f.get())) > 0) bytes.insert(bytes.end(), buf, buf + got);
  PTQ_CHECK(!std::ferror(f.get()), "error while reading file '{}': {}", path, std::strerror(errno));
  return bytes;
}

bool has_gzip_magic(const std::vector<uint8_t>& bytes) {
  return bytes.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;
}

std::vector<uint8_t> gunzip(const std::vector<uint8_t>& data, const std::string& path) {
  std::vector<uint8_t> out;
  // The gzip trailer stores the payload size mod 2^32: a good first guess for the buffer
  // (+1 so a correct guess finishes with room to spare instead of growing once more). The
  // trailer is not trusted beyond what deflate can produce (at most 1032 bytes per input byte):
  // a damaged trailer must not allocate gigabytes (found by the idx fuzz target).
  if (data.size() >= 18) {
    const uint8_t* t = data.data() + data.size() - 4;
    const size_t isize = uint32_t(t[0]) | uint32_t(t[1]) << 8 | uint32_t(t[2]) << 16 | uint32_t(t[3]) << 24;
    out.resize(std::max<size_t>(std::min<size_t>(isize, data.size() * 1032) + 1, 1024));
  } else {
    out.resize(1024);
  }
  z_stream zs{};
  PTQ_INTERNAL_ASSERT(inflateInit2(&zs, 16 + MAX_WBITS) == Z_OK, "inflateInit2 failed");
  std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&zs, &inflateEnd);
  size_t in_pos = 0, out_pos = 0;
  while (true) {
    if (out_pos == out.size()) out.resize(out.size() * 2);
    // avail_* are 32-bit: feed at most 1 GiB per call.
    const size_t in_now = std::min<size_t>(data.size() - in_pos, size_t{1} << 30);
    const size_t out_now = std::min<size_t>(out.size() - out_pos, size_t{1} << 30);
    zs.next_in = const_cast<Bytef*>(data.data() + in_pos);
    zs.avail_in = static_cast<uInt>(in_now);
    zs.next_out = out.data() + out_pos;
    zs.avail_out = static_cast<uInt>(out_now);
    const int rc = inflate(&zs, Z_NO_FLUSH);
    in_pos += in_now - zs.avail_in;
    out_pos += out_now - zs.avail_out;
    if (rc == Z_STREAM_END) {
      // Another gzip member may follow (as in `cat a.gz b.gz`); trailing zero padding is ignored.
      const bool more = in_pos + 1 < data.size() && data[in_pos] == 0x1f && data[in_pos + 1] == 0x8b;
      if (!more) break;
      inflateReset(&zs);
      continue;
    }
    PTQ_CHECK(rc == Z_OK || rc == Z_BUF_ERROR, "corrupt gzip data in '{}': {}; hint: re-download the file",
              path, zs.msg ? zs.msg : zError(rc));
    // All input consumed while inflate still had room to write: the stream ends early.
    PTQ_CHECK(!(in_pos == data.size() && zs.avail_out > 0),
              "gzip file '{}' is truncated (compressed stream ends early); hint: re-download the file",
              path);
  }
  out.resize(out_pos);
  return out;
}

std::vector<uint8_t> read_maybe_gzip(const std::string& path) {
  auto bytes = read_file_bytes(path);
  return has_gzip_magic(bytes) ? gunzip(bytes, path) : bytes;
}

}  // namespace ptq::data
