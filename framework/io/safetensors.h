// Reading and writing safetensors checkpoints (the Hugging Face tensor file format).
//
// Format: u64 little-endian header length N, N bytes of JSON header, then a raw data buffer.
// The header maps tensor names to {"dtype", "shape", "data_offsets": [begin, end]} (offsets
// into the data buffer) plus an optional "__metadata__" string-to-string object. Tensor data
// is C-contiguous and little-endian. Dtypes: see safetensors_dtype.h.
//
// Loading treats the file as untrusted: every length, offset, shape and dtype is validated
// before use (safetensors_header.h), and malformed input becomes a ptq::UserError naming the
// file and tensor — never a crash or an out-of-bounds read. load_safetensors reads each tensor
// directly from the file into memory the tensor owns; nothing stays mapped or open. BOOL
// tensors must hold only bytes 0 and 1.
//
// Saving copies each tensor to contiguous CPU memory (any device, any strides), lays the data
// out in name order with no gaps, pads the header with spaces so the data starts at a multiple
// of 8 bytes, and writes through write_file_atomic so an interrupted save never leaves a torn
// file. The *_bytes variants do the same in memory, for tests and fuzzers.
#pragma once

#include <torch/torch.h>

#include <map>
#include <string>

namespace ptq::io {

struct SafetensorsFile {
  std::map<std::string, torch::Tensor> tensors;
  std::map<std::string, std::string> metadata;
};

SafetensorsFile load_safetensors(const std::string& path);

void save_safetensors(const std::string& path, const std::map<std::string, torch::Tensor>& tensors,
                      const std::map<std::string, std::string>& metadata = {});

// In-memory encoding of exactly what save_safetensors writes.
std::string safetensors_to_bytes(const std::map<std::string, torch::Tensor>& tensors,
                                 const std::map<std::string, std::string>& metadata = {});

// Decodes a whole file held in memory; `source_name` stands in for the path in errors.
SafetensorsFile safetensors_from_bytes(const std::string& bytes, const std::string& source_name);

}  // namespace ptq::io
