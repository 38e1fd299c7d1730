#include "framework/io/safetensors.h"

#include <cstring>
#include <vector>

#include "framework/core/check.h"
#include "framework/io/atomic_file.h"
#include "framework/io/input_file.h"
#include "framework/io/safetensors_header.h"

namespace ptq::io {
namespace {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "safetensors data is little-endian; big-endian hosts would need byte swapping");

void check_bool_bytes(const torch::Tensor& t, const std::string& file, const std::string& name) {
  const auto* p = static_cast<const uint8_t*>(t.data_ptr());
  const int64_t n = t.numel();
  for (int64_t i = 0; i < n; ++i) {
    PTQ_CHECK(p[i] <= 1, "safetensors file '{}': BOOL tensor '{}' holds byte value {} at element {}; "
              "booleans must be stored as 0 or 1", file, name, p[i], i);
  }
}

// Shared by file and memory decoding. read_at(offset, dst, n) copies bytes [offset, offset+n)
// of the source, which is `size` bytes long.
template <class ReadAt>
SafetensorsFile decode(uint64_t size, const ReadAt& read_at, const std::string& file) {
  unsigned char prefix[8] = {};
  if (size >= 8) read_at(0, prefix, 8);
  const uint64_t header_length = decode_header_length(prefix);
  check_header_length(header_length, size, file);

  std::string header_text(static_cast<size_t>(header_length), '\0');
  if (header_length > 0) read_at(8, header_text.data(), header_text.size());
  const uint64_t data_start = 8 + header_length;
  const SafetensorsHeader header = parse_safetensors_header(header_text, size - data_start, file);

  SafetensorsFile out;
  out.metadata = header.metadata;
  for (const auto& e : header.entries) {
    torch::Tensor t = torch::empty(e.shape, torch::TensorOptions().dtype(e.dtype));
    const uint64_t nbytes = e.end - e.begin;
    PTQ_INTERNAL_ASSERT(nbytes == t.nbytes(), "validated size {} != allocated {} for '{}'", nbytes,
                        t.nbytes(), e.name);
    if (nbytes > 0) read_at(data_start + e.begin, t.data_ptr(), static_cast<size_t>(nbytes));
    if (e.dtype == torch::kBool) check_bool_bytes(t, file, e.name);
    out.tensors.emplace(e.name, std::move(t));
  }
  return out;
}

std::string encode(const std::map<std::string, torch::Tensor>& tensors,
                   const std::map<std::string, std::string>& metadata, const std::string& file) {
  std::vector<SafetensorsEntry> entries;
  std::vector<torch::Tensor> data;
  uint64_t offset = 0;
  for (const auto& [name, tensor] : tensors) {  // std::map: name order
    PTQ_CHECK(tensor.defined(), "cannot save tensor '{}' to '{}': the tensor is undefined", name,
              file);
    PTQ_CHECK(tensor.layout() == torch::kStrided, "cannot save tensor '{}' to '{}': layout {} is "
              "not supported; convert it with .to_dense() first", name, file,
              c10::str(tensor.layout()));
    torch::Tensor t =
        tensor.detach().resolve_conj().resolve_neg().to(torch::kCPU).contiguous();
    SafetensorsEntry e;
    e.name = name;
    e.dtype = t.scalar_type();
    e.shape = t.sizes().vec();
    e.begin = offset;
    e.end = offset + t.nbytes();
    offset = e.end;
    entries.push_back(std::move(e));
    data.push_back(std::move(t));
  }
  // Validates names and dtypes before the (possibly large) data copy.
  std::string out = encode_safetensors_header(entries, metadata, file);
  out.reserve(out.size() + offset);
  for (const auto& t : data) {
    out.append(static_cast<const char*>(t.data_ptr()), t.nbytes());
  }
  return out;
}

}  // namespace

SafetensorsFile load_safetensors(const std::string& path) {
  const InputFile in(path);
  const auto read_at = [&in](uint64_t offset, void* dst, size_t n) { in.read_at(offset, dst, n); };
  return decode(in.size(), read_at, path);
}

void save_safetensors(const std::string& path, const std::map<std::string, torch::Tensor>& tensors,
                      const std::map<std::string, std::string>& metadata) {
  write_file_atomic(path, encode(tensors, metadata, path));
}

std::string safetensors_to_bytes(const std::map<std::string, torch::Tensor>& tensors,
                                 const std::map<std::string, std::string>& metadata) {
  return encode(tensors, metadata, "<in-memory safetensors>");
}

SafetensorsFile safetensors_from_bytes(const std::string& bytes, const std::string& source_name) {
  const auto read_at = [&bytes](uint64_t offset, void* dst, size_t n) {
    PTQ_INTERNAL_ASSERT(offset <= bytes.size() && n <= bytes.size() - offset,
                        "read of {} bytes at {} outside a {}-byte buffer", n, offset, bytes.size());
    std::memcpy(dst, bytes.data() + offset, n);
  };
  return decode(bytes.size(), read_at, source_name);
}

}  // namespace ptq::io
