// SHA-256 (FIPS 180-4) of a byte string, as 64 lowercase hex digits. Used to name sweep runs by
// the hash of their resolved config: a content address, so a cryptographic hash (collisions
// are not a practical concern) of a few kilobytes is plenty fast.
#pragma once

#include <string>

namespace ptq {

std::string sha256_hex(const std::string& bytes);

}  // namespace ptq
