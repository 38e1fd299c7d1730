// Reader for IDX files, the container of MNIST and Fashion-MNIST.
//
// Layout: a 4-byte magic {0x00, 0x00, type, ndims}, then ndims big-endian uint32 dimension
// sizes, then prod(dims) elements in row-major order. Only type 0x08 (unsigned byte) is
// supported — it is the only type the (Fashion-)MNIST files use. The file may be plain or
// gzip-compressed; gzip is detected from its magic bytes (1f 8b), not from the ".gz" suffix.
//
// read_idx(path) returns a uint8 tensor shaped like the file's dimensions (e.g. [60000, 28, 28]
// for training images, [60000] for labels).
//
// Errors (ptq::UserError, message starts with "IDX file '<path>'" or names the path):
// missing file, bad magic, unsupported type code, truncated header or data, data longer than
// the product of the dimensions ("dimension product mismatch"), corrupt/truncated gzip.
#pragma once

#include <torch/torch.h>

#include <string>

namespace ptq::data {

torch::Tensor read_idx(const std::string& path);

}  // namespace ptq::data
