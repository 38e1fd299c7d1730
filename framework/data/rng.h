// A small seeded random source for the data pipeline (sampling, calibration augmentation).
//
// Why not std::uniform_*_distribution or the LibTorch global generator: the distributions'
// algorithms differ between standard libraries and the global generator is shared state, so
// neither gives "same seed -> same calibration set" across machines and call orders. DataRng
// is a std::mt19937_64 (fully specified by the standard) plus hand-written, portable uniform
// and bounded-integer draws. derive_seed() mixes a base seed with an index (SplitMix64), so
// each image gets an independent stream that does not depend on batch composition or order.
#pragma once

#include <cstdint>
#include <random>

namespace ptq::data {

// SplitMix64 finaliser: a bijective 64-bit mix.
inline uint64_t mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Seed of stream `index` under base seed `seed` (distinct indices -> unrelated streams).
inline uint64_t derive_seed(uint64_t seed, uint64_t index) { return mix64(mix64(seed) ^ mix64(~index)); }

class DataRng {
 public:
  explicit DataRng(uint64_t seed) : engine_(mix64(seed)) {}

  uint64_t next() { return engine_(); }

  // Uniform double in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }

  // Uniform double in [lo, hi).
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }

  // Uniform integer in [0, n) for n >= 1, unbiased (rejection sampling).
  uint64_t below(uint64_t n) {
    const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do x = engine_(); while (x >= limit);
    return x % n;
  }

  // Uniform integer in [lo, hi) for lo < hi.
  int64_t integer(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(below(static_cast<uint64_t>(hi - lo)));
  }

 private:
  std::mt19937_64 engine_;
};

}  // namespace ptq::data
