// Test helper: assemble a safetensors file byte by byte, so tests can feed the reader
// hand-made (and deliberately broken) files independent of ptq's own writer.
#pragma once

#include <cstdint>
#include <string>

namespace ptq::test {

// 8-byte little-endian u64.
inline std::string le64(uint64_t n) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i, n >>= 8) out[i] = static_cast<char>(n & 0xff);
  return out;
}

// The header length N read back from the first 8 bytes of `bytes`.
inline uint64_t header_length(const std::string& bytes) {
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(bytes.at(i));
  return n;
}

// length prefix + header + data, with the prefix taken from the header's real size.
inline std::string raw_safetensors(const std::string& header, const std::string& data = "") {
  return le64(header.size()) + header + data;
}

}  // namespace ptq::test
