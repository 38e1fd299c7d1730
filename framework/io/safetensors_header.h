// The safetensors header: the 8-byte length prefix and the JSON table of contents.
//
// Layout of a file: u64 little-endian N | N bytes of JSON (UTF-8, may end in spaces) | data.
// The JSON maps each tensor name to {"dtype", "shape", "data_offsets": [begin, end]} with
// offsets relative to the start of the data buffer, and may hold "__metadata__", a flat
// string-to-string object.
//
// Files are untrusted input, so parsing validates everything before any byte of tensor data
// is touched: the length prefix against the file size and a 100 MB cap, the JSON itself,
// every entry's field types, shape (non-negative integers, no overflow), dtype, offsets
// inside the data buffer, offsets consistent with shape x element size, and no two tensors
// sharing bytes. Each failure is a ptq::UserError that starts "safetensors file '<file>':"
// and names the tensor where there is one. Gaps and trailing bytes in the data buffer are
// tolerated (other writers may align tensors).
//
// encode_safetensors_header() is the writer's side: compact JSON ("__metadata__" first when
// non-empty, then tensors in the given order with keys dtype, shape, data_offsets), padded
// with spaces so that the data buffer starts at a multiple of 8 bytes.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace ptq::io {

// Headers above this many bytes are rejected as corrupt (same limit as the reference reader).
constexpr uint64_t kMaxSafetensorsHeaderBytes = 100'000'000;

struct SafetensorsEntry {
  std::string name;
  torch::ScalarType dtype = torch::kFloat32;
  std::vector<int64_t> shape;
  uint64_t begin = 0;  // byte offsets relative to the data buffer
  uint64_t end = 0;
};

struct SafetensorsHeader {
  std::vector<SafetensorsEntry> entries;  // in name order
  std::map<std::string, std::string> metadata;
};

// Reads the u64 little-endian header length from the first 8 bytes of a file.
uint64_t decode_header_length(const unsigned char prefix[8]);

// Checks the file is at least 8 bytes and that the header length N is sane: at most
// kMaxSafetensorsHeaderBytes and 8 + N <= file_size.
void check_header_length(uint64_t header_length, uint64_t file_size, const std::string& file);

// Parses and validates the JSON header against a data buffer of `data_size` bytes.
SafetensorsHeader parse_safetensors_header(const std::string& json_text, uint64_t data_size,
                                           const std::string& file);

// Length prefix + padded JSON for `entries` (offsets already assigned) and `metadata`.
std::string encode_safetensors_header(const std::vector<SafetensorsEntry>& entries,
                                      const std::map<std::string, std::string>& metadata,
                                      const std::string& file);

}  // namespace ptq::io
