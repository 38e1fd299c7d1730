#include "framework/io/safetensors_header.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <limits>

#include "framework/core/check.h"
#include "framework/io/safetensors_dtype.h"

namespace ptq::io {
namespace {

using nlohmann::json;

constexpr const char* kMetadataKey = "__metadata__";
constexpr const char* kEntryHint = "each tensor entry needs \"dtype\" (string), \"shape\" (array of "
                                   "non-negative integers) and \"data_offsets\" ([begin, end])";

// Names come from untrusted files: keep error messages a readable size.
std::string shorten(const std::string& s) {
  constexpr size_t kMax = 120;
  if (s.size() <= kMax) return s;
  return fmt::format("{}...({} bytes)", s.substr(0, 100), s.size());
}

std::string shape_string(const std::vector<int64_t>& shape) {
  return fmt::format("[{}]", fmt::join(shape, ", "));
}

// A JSON value that must be a non-negative integer; `what` names it in errors.
uint64_t non_negative_integer(const json& v, const std::string& file, const std::string& tensor,
                              const std::string& what) {
  if (v.is_number_unsigned()) return v.get<uint64_t>();
  if (v.is_number_integer()) {
    PTQ_FAIL("safetensors file '{}': tensor '{}': {} is negative ({}); {}", file, shorten(tensor),
             what, v.get<int64_t>(), kEntryHint);
  }
  if (v.is_number_float()) {
    PTQ_FAIL("safetensors file '{}': tensor '{}': {} is not an integer ({}); {}", file,
             shorten(tensor), what, v.get<double>(), kEntryHint);
  }
  PTQ_FAIL("safetensors file '{}': tensor '{}': {} is a JSON {}, expected a non-negative integer; {}",
           file, shorten(tensor), what, v.type_name(), kEntryHint);
}

const json& field(const json& entry, const char* key, const std::string& file,
                  const std::string& tensor) {
  const auto it = entry.find(key);
  PTQ_CHECK(it != entry.end(), "safetensors file '{}': tensor '{}': missing \"{}\"; {}", file,
            shorten(tensor), key, kEntryHint);
  return *it;
}

std::map<std::string, std::string> parse_metadata(const json& meta, const std::string& file) {
  PTQ_CHECK(meta.is_object(),
            "safetensors file '{}': \"__metadata__\" is a JSON {}, expected an object mapping "
            "strings to strings",
            file, meta.type_name());
  std::map<std::string, std::string> out;
  for (const auto& [key, value] : meta.items()) {
    PTQ_CHECK(value.is_string(),
              "safetensors file '{}': \"__metadata__\" value for key '{}' is a JSON {}, expected "
              "a string (metadata is string-to-string)",
              file, shorten(key), value.type_name());
    out.emplace(key, value.get<std::string>());
  }
  return out;
}

SafetensorsEntry parse_entry(const std::string& name, const json& entry, uint64_t data_size,
                             const std::string& file) {
  PTQ_CHECK(entry.is_object(), "safetensors file '{}': tensor '{}': entry is a JSON {}, expected an "
            "object; {}", file, shorten(name), entry.type_name(), kEntryHint);
  SafetensorsEntry e;
  e.name = name;

  const json& dtype = field(entry, "dtype", file, name);
  PTQ_CHECK(dtype.is_string(), "safetensors file '{}': tensor '{}': \"dtype\" is a JSON {}, "
            "expected a string such as \"F32\"", file, shorten(name), dtype.type_name());
  e.dtype = scalar_type_from_safetensors(dtype.get<std::string>(), file, shorten(name));

  const json& shape = field(entry, "shape", file, name);
  PTQ_CHECK(shape.is_array(), "safetensors file '{}': tensor '{}': \"shape\" is a JSON {}, "
            "expected an array; {}", file, shorten(name), shape.type_name(), kEntryHint);
  // `extent` bounds the element count if every 0 dimension were 1: keeps later stride and
  // size arithmetic inside int64 even for empty tensors.
  uint64_t numel = 1;
  uint64_t extent = 1;
  bool too_large = false;
  for (size_t i = 0; i < shape.size(); ++i) {
    const uint64_t d = non_negative_integer(shape[i], file, name, fmt::format("shape[{}]", i));
    too_large = too_large || __builtin_mul_overflow(extent, std::max<uint64_t>(d, 1), &extent) ||
                extent > static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
    numel *= d;  // cannot overflow while extent does not
    e.shape.push_back(static_cast<int64_t>(std::min<uint64_t>(d, INT64_MAX)));
  }
  const uint64_t item = c10::elementSize(e.dtype);
  uint64_t nbytes = 0;
  too_large = too_large || __builtin_mul_overflow(numel, item, &nbytes);
  PTQ_CHECK(!too_large, "safetensors file '{}': tensor '{}': shape {} is too large to address; the "
            "header is corrupt", file, shorten(name), shorten(shape.dump()));

  const json& offsets = field(entry, "data_offsets", file, name);
  PTQ_CHECK(offsets.is_array() && offsets.size() == 2, "safetensors file '{}': tensor '{}': "
            "\"data_offsets\" must be an array [begin, end] of two integers, got a JSON {}{}",
            file, shorten(name), offsets.type_name(),
            offsets.is_array() ? fmt::format(" of {} elements", offsets.size()) : "");
  e.begin = non_negative_integer(offsets[0], file, name, "data_offsets[0]");
  e.end = non_negative_integer(offsets[1], file, name, "data_offsets[1]");
  PTQ_CHECK(e.begin <= e.end, "safetensors file '{}': tensor '{}': data_offsets [{}, {}] end "
            "before they begin; the header is corrupt", file, shorten(name), e.begin, e.end);
  PTQ_CHECK(e.end <= data_size, "safetensors file '{}': tensor '{}': data_offsets [{}, {}] lie "
            "outside the data buffer of {} bytes; the file is truncated or corrupt",
            file, shorten(name), e.begin, e.end, data_size);
  PTQ_CHECK(e.end - e.begin == nbytes, "safetensors file '{}': tensor '{}': data_offsets [{}, {}] "
            "span {} bytes but shape {} of {} needs {} bytes; the header is corrupt",
            file, shorten(name), e.begin, e.end, e.end - e.begin, shape_string(e.shape),
            c10::toString(e.dtype), nbytes);
  return e;
}

void check_no_overlap(const std::vector<SafetensorsEntry>& entries, const std::string& file) {
  std::vector<const SafetensorsEntry*> by_offset;
  for (const auto& e : entries) {
    if (e.end > e.begin) by_offset.push_back(&e);  // empty tensors occupy no bytes
  }
  std::sort(by_offset.begin(), by_offset.end(),
            [](const auto* a, const auto* b) { return a->begin < b->begin; });
  for (size_t i = 1; i < by_offset.size(); ++i) {
    const auto* prev = by_offset[i - 1];
    const auto* cur = by_offset[i];
    PTQ_CHECK(cur->begin >= prev->end, "safetensors file '{}': tensors '{}' (bytes [{}, {})) and "
              "'{}' (bytes [{}, {})) overlap; the header is corrupt", file, shorten(prev->name),
              prev->begin, prev->end, shorten(cur->name), cur->begin, cur->end);
  }
}

}  // namespace

uint64_t decode_header_length(const unsigned char prefix[8]) {
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | prefix[i];
  return n;
}

void check_header_length(uint64_t header_length, uint64_t file_size, const std::string& file) {
  PTQ_CHECK(file_size >= 8, "safetensors file '{}': file is {} bytes, shorter than the 8-byte header "
            "length prefix; the file is truncated or not a safetensors file", file, file_size);
  PTQ_CHECK(header_length <= kMaxSafetensorsHeaderBytes, "safetensors file '{}': header length {} "
            "exceeds the {} byte limit; the file is corrupt or not a safetensors file",
            file, header_length, kMaxSafetensorsHeaderBytes);
  PTQ_CHECK(header_length <= file_size - 8, "safetensors file '{}': header length {} is larger than "
            "the {} bytes that follow the length prefix; the file is truncated or not a "
            "safetensors file", file, header_length, file_size - 8);
}

SafetensorsHeader parse_safetensors_header(const std::string& json_text, uint64_t data_size,
                                           const std::string& file) {
  // nlohmann stops at a NUL byte, which would silently ignore the rest of the header.
  const size_t nul = json_text.find('\0');
  PTQ_CHECK(nul == std::string::npos, "safetensors file '{}': header is not valid JSON: NUL byte at "
            "offset {} (headers are UTF-8 JSON padded with spaces); the file is corrupt", file, nul);
  json root;
  try {
    root = json::parse(json_text);
  } catch (const json::exception& e) {
    PTQ_FAIL("safetensors file '{}': header is not valid JSON: {}; the file is corrupt or not a "
             "safetensors file", file, e.what());
  }
  PTQ_CHECK(root.is_object(), "safetensors file '{}': header is a JSON {}, expected an object "
            "mapping tensor names to entries", file, root.type_name());

  SafetensorsHeader header;
  for (const auto& [name, value] : root.items()) {  // nlohmann objects iterate in key order
    if (name == kMetadataKey) {
      header.metadata = parse_metadata(value, file);
    } else {
      header.entries.push_back(parse_entry(name, value, data_size, file));
    }
  }
  check_no_overlap(header.entries, file);
  return header;
}

std::string encode_safetensors_header(const std::vector<SafetensorsEntry>& entries,
                                      const std::map<std::string, std::string>& metadata,
                                      const std::string& file) {
  nlohmann::ordered_json root = nlohmann::ordered_json::object();
  if (!metadata.empty()) root[kMetadataKey] = metadata;
  for (const auto& e : entries) {
    PTQ_CHECK(e.name != kMetadataKey, "cannot save to '{}': \"__metadata__\" is reserved by the "
              "safetensors format and cannot be a tensor name; rename the tensor", file);
    nlohmann::ordered_json entry = nlohmann::ordered_json::object();
    entry["dtype"] = safetensors_dtype_name(e.dtype, file, e.name);
    entry["shape"] = e.shape;
    entry["data_offsets"] = {e.begin, e.end};
    root[e.name] = std::move(entry);
  }
  std::string text;
  try {
    text = root.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::strict);
  } catch (const nlohmann::ordered_json::exception& e) {
    PTQ_FAIL("cannot save to '{}': tensor names and metadata must be valid UTF-8 ({})", file,
             e.what());
  }
  text.append((8 - text.size() % 8) % 8, ' ');  // 8 + size is then a multiple of 8
  std::string out(8, '\0');
  uint64_t n = text.size();
  for (int i = 0; i < 8; ++i, n >>= 8) out[i] = static_cast<char>(n & 0xff);
  return out + text;
}

}  // namespace ptq::io
