#include <catch2/catch.hpp>

#include "framework/core/cpu_block_cache.h"

#include <torch/torch.h>

using namespace ptq;

TEST_CASE("CPU block cache: a freed large block serves the next request of its size", "[core][allocator]") {
  install_cpu_block_cache();
  const int64_t n = static_cast<int64_t>(kLargeBlockBytes / sizeof(float)) + 1000;  // just above the threshold
  const void* first = nullptr;
  {
    auto a = torch::full({n}, 1.5f);
    first = a.data_ptr();
    CHECK(cpu_block_cache_stats().live_large_bytes >= n * sizeof(float));
  }
  const auto before = cpu_block_cache_stats();
  CHECK(before.cached_bytes >= n * sizeof(float));
  auto b = torch::empty({n});
  CHECK(b.data_ptr() == first);  // reused, not re-mapped
  CHECK(cpu_block_cache_stats().hits == before.hits + 1);
  b.fill_(2.0f);
  CHECK(b.sum().item<double>() == Approx(2.0 * static_cast<double>(n)));
  SECTION("small tensors bypass it") {
    const auto s0 = cpu_block_cache_stats();
    auto small = torch::ones({1000});
    CHECK(cpu_block_cache_stats().hits == s0.hits);
    CHECK(cpu_block_cache_stats().misses == s0.misses);
  }
}

TEST_CASE("CPU block cache: cached plus live bytes stay within the live peak and a bounded slack", "[core][allocator]") {
  install_cpu_block_cache();
  release_cpu_block_cache();
  const int64_t n = static_cast<int64_t>(kLargeBlockBytes / sizeof(float));
  { auto a = torch::empty({n}), b = torch::empty({n}); }  // peak of live: two blocks
  // A stream of new sizes may not pile up cached blocks beyond peak + min(peak / 4, 64 MiB).
  for (int64_t k = 1; k <= 6; ++k) {
    auto t = torch::empty({n + k * 4096});
    const auto st = cpu_block_cache_stats();
    const size_t peak = 2 * n * sizeof(float) + 6 * 4096 * sizeof(float);
    CHECK(st.cached_bytes + st.live_large_bytes <= peak + peak / 4);
  }
  release_cpu_block_cache();
  CHECK(cpu_block_cache_stats().cached_bytes == 0);
}
