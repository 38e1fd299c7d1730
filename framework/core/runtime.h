// Process-wide runtime set-up: LibTorch threads (= core count by default; LibTorch's own
// default of one thread makes everything several times slower), the allocator, and
// deterministic seeding.
#pragma once

#include <cstdint>
#include <string>

namespace ptq {

// Sets intra-op threads to `threads`, or to the number of cores when threads <= 0, and
// calls configure_allocator(). Returns the number of threads in effect.
int configure_threads(int threads = 0);

// glibc malloc: serve blocks up to 32 MiB from the heap and never trim it, instead of
// mmap/munmap per large tensor. LibTorch allocates every activation anew, so by default each
// reconstruction iteration page-faults its temporaries back in: measured on ResNet-18 blocks
// at batch 32 that cost 30–40 % of a float forward + backward (5.5 M faults per bench run,
// 1.6 M with this). Memory freed stays reserved for reuse; peak RSS is unchanged in practice.
// Blocks above the threshold go through install_cpu_block_cache() (cpu_block_cache.h).
void configure_allocator();

// Returns memory that is free but kept for reuse (the block cache, glibc's untrimmed heap) to
// the system. The reconstructor calls it before each group, so a group's peak RSS is not
// inflated by an earlier group's leftovers; the group faults its pages in once.
void release_free_memory();

// Seeds LibTorch's global CPU generator (and CUDA's when present) and the C++ RNGs ptq uses.
void seed_everything(uint64_t seed);

// "1.13.0"-style version of the LibTorch ptq was built against.
std::string torch_version();

}  // namespace ptq
