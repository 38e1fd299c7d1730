#include "framework/core/cpu_block_cache.h"

#include <c10/core/Allocator.h>
#include <c10/core/CPUAllocator.h>
#include <c10/util/Exception.h>
#include <torch/version.h>

#include <algorithm>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <unordered_map>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace ptq {
namespace {

constexpr size_t kAlignment = 64;                     // LibTorch's CPU alignment (AVX-512 loads)
constexpr size_t kMaxSlackBytes = size_t{64} << 20;   // see BlockCache::slack()

void* aligned_alloc_or_throw(size_t n) {
  void* p = nullptr;
  if (posix_memalign(&p, kAlignment, n) != 0 || p == nullptr) {
    TORCH_CHECK(false, "ptq: out of memory allocating ", n, " bytes on the CPU");
  }
  return p;
}

// Ask for transparent huge pages on a fresh large block (a no-op where THP is off): a miss
// then costs ~50 page faults per 100 MB instead of ~25,000.
void advise_huge_pages(void* p, size_t n) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  constexpr uintptr_t kHuge = uintptr_t{2} << 20;
  const uintptr_t begin = (reinterpret_cast<uintptr_t>(p) + kHuge - 1) & ~(kHuge - 1);
  const uintptr_t end = (reinterpret_cast<uintptr_t>(p) + n) & ~(kHuge - 1);
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
#else
  (void)p, (void)n;
#endif
}

class BlockCache {
 public:
  void* take(size_t n) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      // The most recently freed block of exactly this size.
      for (auto it = free_.rbegin(); it != free_.rend(); ++it) {
        if (it->second != n) continue;
        void* p = it->first;
        free_.erase(std::next(it).base());
        cached_ -= n;
        live_.emplace(p, n);
        live_bytes_ += n;
        ++hits_;
        return p;
      }
      ++misses_;
      // Make room, oldest first: live + cached + n may not exceed the peak of live bytes
      // plus a bounded slack (or live + n where that is a new peak).
      const size_t limit = std::max(peak_live_ + slack(), live_bytes_ + n);
      while (!free_.empty() && live_bytes_ + cached_ + n > limit) {
        cached_ -= free_.front().second;
        std::free(free_.front().first);
        free_.pop_front();
      }
    }
    void* p = aligned_alloc_or_throw(n);
    advise_huge_pages(p, n);
    std::lock_guard<std::mutex> lock(mutex_);
    live_.emplace(p, n);
    live_bytes_ += n;
    peak_live_ = std::max(peak_live_, live_bytes_);
    return p;
  }

  void give_back(void* p) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = live_.find(p);
    TORCH_CHECK(it != live_.end(), "ptq: CPU block cache asked to free a block it did not allocate");
    free_.emplace_back(p, it->second);
    cached_ += it->second;
    live_bytes_ -= it->second;
    live_.erase(it);
  }

  bool give_back_if_owned(void* p) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (live_.find(p) == live_.end()) return false;
    }
    give_back(p);
    return true;
  }

  void release_all() {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& b : free_) std::free(b.first);
    free_.clear();
    cached_ = 0;
  }

  CpuBlockCacheStats stats() {
    std::lock_guard<std::mutex> lock(mutex_);
    return {hits_, misses_, cached_, live_bytes_};
  }

 private:
  // Head-room above the live peak. With none, an iteration whose blocks are live in a
  // different mix than at the peak evicts and re-faults a block or two every iteration (a
  // ResNet stem float step: 2 misses/iteration, +25 %); a quarter of the peak, at most
  // kMaxSlackBytes, removed them (measured on the stem, the unit whose blocks are largest).
  size_t slack() const { return std::min(peak_live_ / 4, kMaxSlackBytes); }
  std::mutex mutex_;
  std::deque<std::pair<void*, size_t>> free_;  // oldest first
  std::unordered_map<void*, size_t> live_;
  size_t cached_ = 0, live_bytes_ = 0, peak_live_ = 0;
  int64_t hits_ = 0, misses_ = 0;
};

BlockCache& cache() {
  static auto* c = new BlockCache();  // never destroyed: tensors may outlive static destructors
  return *c;
}

void free_small(void* p) { std::free(p); }
void free_large(void* p) { cache().give_back(p); }
void free_any(void* p) {
  if (!cache().give_back_if_owned(p)) std::free(p);
}

class CachingCpuAllocator final : public c10::Allocator {
 public:
  // LibTorch 2.3 made allocate() non-const and added copy_data(); 1.13 has neither.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 3)
  c10::DataPtr allocate(size_t n) override { return allocate_impl(n); }
  void copy_data(void* dest, const void* src, std::size_t count) const override { default_copy_data(dest, src, count); }
#else
  c10::DataPtr allocate(size_t n) const override { return allocate_impl(n); }
#endif
  c10::DeleterFnPtr raw_deleter() const override { return &free_any; }

 private:
  static c10::DataPtr allocate_impl(size_t n) {
    const c10::Device cpu(c10::DeviceType::CPU);
    if (n == 0) return {nullptr, nullptr, &free_small, cpu};
    if (n < kLargeBlockBytes) {
      void* p = aligned_alloc_or_throw(n);
      return {p, p, &free_small, cpu};
    }
    void* p = cache().take(n);
    return {p, p, &free_large, cpu};
  }
};

}  // namespace

void install_cpu_block_cache() {
  static std::once_flag once;
  std::call_once(once, [] {
    static CachingCpuAllocator allocator;
    c10::SetCPUAllocator(&allocator, /*priority=*/1);
  });
}

CpuBlockCacheStats cpu_block_cache_stats() { return cache().stats(); }

void release_cpu_block_cache() { cache().release_all(); }

}  // namespace ptq
