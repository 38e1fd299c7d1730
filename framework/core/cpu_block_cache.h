// A CPU allocator for LibTorch that keeps freed large blocks for reuse.
//
// glibc serves blocks above its mmap threshold (at most 32 MiB, mallopt's cap) with a fresh
// mmap each time and unmaps them on free, so every large tensor of every iteration is
// page-faulted and zeroed by the kernel again. A ResNet stem at 224², batch 32, allocates
// several 103 MB activations per iteration: measured on the 2-core machine, a copy of such a
// tensor costs 32 ms with fresh pages and 8.5 ms with reused ones, and the stem's float
// forward + backward is ~20 % faster with reuse. Turning mmap off altogether (M_MMAP_MAX = 0)
// gives the same speed but fragments the heap (+0.25 GiB peak RSS on the same run).
//
// This allocator keeps large blocks (>= kLargeBlockBytes) it has freed, keyed by size, and
// hands them out again for requests of the same size. On a miss it first releases least
// recently freed blocks until live + cached + request fits within the peak of live bytes
// plus min(peak / 4, 64 MiB): the footprint can exceed what LibTorch alone would hold by at
// most that slack. Small blocks go straight to the C library.
// install_cpu_block_cache() makes it LibTorch's CPU allocator (tensors allocated before keep
// their own deleters). Values never depend on it: LibTorch never reads memory it has not
// written, reused or fresh.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ptq {

constexpr size_t kLargeBlockBytes = size_t{32} << 20;

// Installs the allocator (idempotent, thread-safe).
void install_cpu_block_cache();

struct CpuBlockCacheStats {
  int64_t hits = 0, misses = 0;
  size_t cached_bytes = 0, live_large_bytes = 0;
};
CpuBlockCacheStats cpu_block_cache_stats();

// Frees every cached block (e.g. before handing memory to another phase).
void release_cpu_block_cache();

}  // namespace ptq
