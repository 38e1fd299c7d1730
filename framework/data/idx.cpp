#include "framework/data/idx.h"

#include "framework/core/check.h"
#include "framework/data/compressed_file.h"

#include <algorithm>
#include <cstring>

namespace ptq::data {

namespace {

constexpr uint8_t kTypeUbyte = 0x08;
constexpr int kMaxDims = 8;

uint32_t big_endian_u32(const uint8_t* p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | uint32_t(p[3]);
}

}  // namespace

torch::Tensor read_idx(const std::string& path) {
  const auto bytes = read_maybe_gzip(path);
  PTQ_CHECK(bytes.size() >= 4, "IDX file '{}' is truncated: {} bytes, too short for the 4-byte magic",
            path, bytes.size());
  const uint8_t type = bytes[2], ndims = bytes[3];
  PTQ_CHECK(bytes[0] == 0 && bytes[1] == 0 && ndims >= 1 && ndims <= kMaxDims,
            "IDX file '{}' has a bad magic number {:02x} {:02x} {:02x} {:02x} (expected 00 00 <type> "
            "<ndims 1..{}>); hint: is this an IDX (MNIST-format) file?",
            path, bytes[0], bytes[1], bytes[2], bytes[3], kMaxDims);
  PTQ_CHECK(type == kTypeUbyte,
            "IDX file '{}' has unsupported type code 0x{:02x}; only 0x08 (unsigned byte) is supported",
            path, type);
  const size_t header = 4 + 4 * size_t{ndims};
  PTQ_CHECK(bytes.size() >= header, "IDX file '{}' is truncated: header needs {} bytes, file has {}",
            path, header, bytes.size());
  std::vector<int64_t> dims(ndims);
  uint64_t count = 1, bound = 1;  // bound: the product with zero dimensions counted as 1
  constexpr uint64_t kLimit = uint64_t{1} << 48;
  for (int d = 0; d < ndims; ++d) {
    dims[d] = big_endian_u32(bytes.data() + 4 + 4 * d);
    const uint64_t dim = static_cast<uint64_t>(dims[d]);
    // Checked before multiplying (the product of a few 32-bit sizes overflows 64 bits: found by
    // the idx fuzz target); the bound also keeps LibTorch's own size arithmetic in range when a
    // zero dimension makes the element count 0.
    PTQ_CHECK(dim <= 1 || bound <= kLimit / dim,
              "IDX file '{}' declares an implausibly large size (dimensions beyond 2^48 elements)", path);
    bound *= std::max<uint64_t>(dim, 1);
    count *= dim;
  }
  const uint64_t payload = bytes.size() - header;
  PTQ_CHECK(payload >= count,
            "IDX file '{}' is truncated: dimensions [{}] need {} data bytes, file has {}; hint: "
            "re-download the file",
            path, fmt::join(dims, ", "), count, payload);
  PTQ_CHECK(payload == count,
            "IDX file '{}': dimension product mismatch: dimensions [{}] give {} elements but the "
            "file holds {} data bytes",
            path, fmt::join(dims, ", "), count, payload);
  auto out = torch::empty(dims, torch::kUInt8);
  if (count) std::memcpy(out.data_ptr<uint8_t>(), bytes.data() + header, count);
  return out;
}

}  // namespace ptq::data
