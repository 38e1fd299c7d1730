#include "framework/io/safetensors_dtype.h"

#include "framework/core/check.h"
#include "framework/core/strings.h"

namespace ptq::io {
namespace {

struct DtypeName {
  const char* name;
  torch::ScalarType type;
};

const std::vector<DtypeName>& dtype_table() {
  static const std::vector<DtypeName> table{
      {"F64", torch::kFloat64}, {"F32", torch::kFloat32}, {"F16", torch::kFloat16},
      {"BF16", torch::kBFloat16}, {"I64", torch::kInt64}, {"I32", torch::kInt32},
      {"I16", torch::kInt16},   {"I8", torch::kInt8},     {"U8", torch::kUInt8},
      {"BOOL", torch::kBool},
#if PTQ_TORCH_HAS_FLOAT8
      {"F8_E4M3", torch::kFloat8_e4m3fn}, {"F8_E5M2", torch::kFloat8_e5m2},
#endif
  };
  return table;
}

bool is_float8_name(const std::string& dtype) { return dtype == "F8_E4M3" || dtype == "F8_E5M2"; }

bool is_unsigned_wide_name(const std::string& dtype) {
  return dtype == "U16" || dtype == "U32" || dtype == "U64";
}

}  // namespace

std::vector<std::string> supported_safetensors_dtypes() {
  std::vector<std::string> names;
  for (const auto& d : dtype_table()) names.emplace_back(d.name);
  return names;
}

torch::ScalarType scalar_type_from_safetensors(const std::string& dtype, const std::string& file,
                                               const std::string& tensor) {
  for (const auto& d : dtype_table()) {
    if (dtype == d.name) return d.type;
  }
  if (is_float8_name(dtype)) {
    PTQ_FAIL("safetensors file '{}': tensor '{}' has dtype {}, which needs LibTorch >= 2.1 (this "
             "build uses LibTorch {}); rebuild ptq against a newer LibTorch or convert the tensor",
             file, tensor, dtype, TORCH_VERSION);
  }
  if (is_unsigned_wide_name(dtype)) {
    PTQ_FAIL("safetensors file '{}': tensor '{}' has unsupported dtype {} (LibTorch has no usable "
             "unsigned {}-bit type); convert it to a signed type before saving. Supported: {}",
             file, tensor, dtype, dtype.substr(1), join(supported_safetensors_dtypes(), ", "));
  }
  PTQ_FAIL("safetensors file '{}': tensor '{}' has unknown dtype '{}'{}; known: {}", file, tensor,
           dtype, did_you_mean(dtype, supported_safetensors_dtypes()),
           join(supported_safetensors_dtypes(), ", "));
}

std::string safetensors_dtype_name(torch::ScalarType type, const std::string& file,
                                   const std::string& tensor) {
  for (const auto& d : dtype_table()) {
    if (type == d.type) return d.name;
  }
  PTQ_FAIL("cannot save tensor '{}' to '{}': dtype {} has no safetensors equivalent; convert it to "
           "one of: {}",
           tensor, file, c10::toString(type), join(supported_safetensors_dtypes(), ", "));
}

}  // namespace ptq::io
