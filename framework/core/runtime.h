// Process-wide runtime set-up: LibTorch threads (= core count by default; LibTorch's own
// default of one thread makes everything several times slower) and deterministic seeding.
#pragma once

#include <cstdint>
#include <string>

namespace ptq {

// Sets intra-op threads to `threads`, or to the number of cores when threads <= 0.
// Returns the number of threads in effect.
int configure_threads(int threads = 0);

// Seeds LibTorch's global CPU generator (and CUDA's when present) and the C++ RNGs ptq uses.
void seed_everything(uint64_t seed);

// "1.13.0"-style version of the LibTorch ptq was built against.
std::string torch_version();

}  // namespace ptq
