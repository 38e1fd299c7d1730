// Float32 tensors stored in a shared mapping of an unlinked spill file (spill_file.h) instead
// of anonymous memory: the kernel pages the data in as it is read and may write it back and
// evict it under memory pressure, so a tensor larger than memory still works; reading it in
// order costs about a sequential file read. ptq uses it for calibration sets larger than
// calibration.memory_mb; every LibTorch operation treats it as an ordinary CPU tensor.
#pragma once

#include <torch/torch.h>

#include <string>

namespace ptq::io {

// An uninitialised float32 tensor of `shape` in a spill file in `dir` (see create_spill_file
// for `what` and `fix`, which its errors use).
torch::Tensor empty_mapped_tensor(at::IntArrayRef shape, const std::string& dir, const std::string& what,
                                  const std::string& fix);

// Whether `t`'s storage is such a mapping.
bool is_mapped_tensor(const torch::Tensor& t);

}  // namespace ptq::io
