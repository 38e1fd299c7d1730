// The safetensors dtype vocabulary and its mapping to LibTorch scalar types.
//
// Supported both ways: F64 F32 F16 BF16 I64 I32 I16 I8 U8 BOOL, plus F8_E4M3 (torch
// float8_e4m3fn) and F8_E5M2 (torch float8_e5m2) when built against LibTorch >= 2.1, which is
// where those scalar types appeared (PTQ_TORCH_HAS_FLOAT8). Against older LibTorch the F8
// names are recognised but rejected with an error saying they need LibTorch >= 2.1. U16, U32
// and U64 are valid safetensors dtypes that LibTorch cannot represent usefully: they are
// rejected as "unsupported dtype". Anything else is an "unknown dtype" with a did-you-mean.
// Errors are ptq::UserError and name the file and the tensor.
#pragma once

#include <torch/torch.h>
#include <torch/version.h>

#include <string>
#include <vector>

#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 1)
#define PTQ_TORCH_HAS_FLOAT8 1
#else
#define PTQ_TORCH_HAS_FLOAT8 0
#endif

namespace ptq::io {

// Scalar type for a safetensors dtype string read from `file` for tensor `tensor`.
torch::ScalarType scalar_type_from_safetensors(const std::string& dtype, const std::string& file,
                                               const std::string& tensor);

// Safetensors dtype string for a tensor about to be saved as `tensor` into `file`.
std::string safetensors_dtype_name(torch::ScalarType type, const std::string& file,
                                   const std::string& tensor);

// The dtype names this build can read and write, in a stable order.
std::vector<std::string> supported_safetensors_dtypes();

}  // namespace ptq::io
