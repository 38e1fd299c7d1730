// Whole-file reads that transparently decompress gzip.
//
// read_maybe_gzip(path) returns the file's bytes; when the file starts with the gzip magic
// bytes 1f 8b it returns the decompressed payload instead (concatenated gzip members are
// joined, as gunzip does). Detection is by content, never by the ".gz" suffix. The whole
// file is inflated in memory with zlib, which for the ~26 MB Fashion-MNIST training images
// takes well under a second.
//
// Errors (ptq::UserError, each naming the path): missing file, unreadable file, corrupt
// gzip data (with zlib's message), gzip stream that ends early ("truncated").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ptq::data {

std::vector<uint8_t> read_file_bytes(const std::string& path);

bool has_gzip_magic(const std::vector<uint8_t>& bytes);

// Decompresses gzip `data`; `path` is only used in error messages.
std::vector<uint8_t> gunzip(const std::vector<uint8_t>& data, const std::string& path);

std::vector<uint8_t> read_maybe_gzip(const std::string& path);

}  // namespace ptq::data
