#include "framework/core/runtime.h"

#include "framework/core/cpu_block_cache.h"

#include <limits>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <torch/torch.h>

#include <thread>

namespace ptq {

void configure_allocator() {
#if defined(__GLIBC__)
  mallopt(M_MMAP_THRESHOLD, 32 << 20);  // glibc's maximum
  mallopt(M_TRIM_THRESHOLD, std::numeric_limits<int>::max());
  mallopt(M_TOP_PAD, 64 << 20);
#endif
  install_cpu_block_cache();
}

void release_free_memory() {
  release_cpu_block_cache();
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

int configure_threads(int threads) {
  configure_allocator();
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  torch::set_num_threads(threads);
  return torch::get_num_threads();
}

void seed_everything(uint64_t seed) { torch::manual_seed(seed); }

std::string torch_version() {
  return std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR) + "." +
         std::to_string(TORCH_VERSION_PATCH);
}

}  // namespace ptq
