#include <catch2/catch.hpp>

#include "framework/recon/activation_cache.h"
#include "tests/support/file_size_limit.h"

using namespace ptq;

TEST_CASE("activation cache: in-memory and spilled entries return the same rows", "[recon][cache]") {
  torch::manual_seed(1);
  auto data = torch::randn({20, 3, 4, 5});
  CacheOptions in_memory, on_disk;
  on_disk.memory_mb = 0;  // everything spills
  ActivationCache a(in_memory), b(on_disk);
  for (auto* c : {&a, &b}) c->fill("x", 20, 6, [&](int64_t i, int64_t n) { return data.narrow(0, i, n); });
  CHECK_FALSE(a.on_disk("x"));
  CHECK(b.on_disk("x"));
  CHECK(b.memory_bytes() == 0);
  CHECK(b.disk_bytes() == 20 * 3 * 4 * 5 * 4);
  auto idx = torch::tensor({3, 3, 19, 0, 7}, torch::kLong);
  CHECK(torch::equal(a.gather("x", idx), data.index_select(0, idx)));
  CHECK(torch::equal(b.gather("x", idx), data.index_select(0, idx)));
  CHECK(torch::equal(b.slice("x", 5, 4), data.narrow(0, 5, 4)));
}

TEST_CASE("activation cache: budget decides per entry, release frees, rename moves", "[recon][cache]") {
  CacheOptions o;
  o.memory_mb = 1;  // 1 MiB: one 0.75 MiB entry fits, the second spills
  ActivationCache c(o);
  c.create("a", 3, {256, 256});
  c.create("b", 3, {256, 256});
  CHECK_FALSE(c.on_disk("a"));
  CHECK(c.on_disk("b"));
  CHECK(c.memory_bytes() == 3 * 256 * 256 * 4);
  c.release("a");
  CHECK(c.memory_bytes() == 0);
  CHECK(c.peak_memory_bytes() == 3 * 256 * 256 * 4);
  c.rename("b", "c");
  CHECK_FALSE(c.has("b"));
  CHECK(c.has("c"));
  CHECK(c.rows("c") == 3);
  c.release("c");
  CHECK(c.disk_bytes() == 0);
  CHECK(c.names().empty());
}

TEST_CASE("activation cache: an unwritable spill folder is a clear error", "[recon][cache]") {
  CacheOptions o;
  o.memory_mb = 0;
  o.spill_dir = "/nonexistent/ptq-spill";
  ActivationCache c(o);
  CHECK_THROWS_WITH(c.create("x", 2, {3}), Catch::Contains("/nonexistent/ptq-spill") && Catch::Contains("spill_dir"));
}

TEST_CASE("activation cache: no room on disk for a spilled entry is a clear error, at creation", "[recon][cache]") {
  CacheOptions o;
  o.memory_mb = 0;
  ActivationCache c(o);
  {
    test::FileSizeLimit limit(64 << 10);  // writes past 64 KiB fail as on a full disk
    c.create("small", 4, {1024});          // 16 KiB fits
    CHECK_THROWS_WITH(c.create("big", 256, {1024}),
                      Catch::Contains("activation cache: entry 'big': cannot reserve 1.0 MiB on disk") && Catch::Contains("File too large") &&
                          Catch::Contains("method.cache.memory_mb"));
  }
  CHECK_FALSE(c.has("big"));
  CHECK(c.disk_bytes() == 4 * 1024 * 4);  // the failed entry is not counted
  c.create("big", 256, {1024});
  CHECK(c.on_disk("big"));
}

TEST_CASE("activation cache: an alias shares rows, counts once and outlives a rename and a release", "[recon][cache]") {
  auto data = torch::arange(24, torch::kFloat).view({6, 4});
  ActivationCache c;
  c.fill("fp_x", 6, 4, [&](int64_t i, int64_t n) { return data.narrow(0, i, n); });
  const int64_t bytes = c.memory_bytes();
  c.alias("q_x", "fp_x");
  CHECK(c.memory_bytes() == bytes);
  CHECK(c.same_data("q_x", "fp_x"));
  c.rename("q_x", "q_in");
  CHECK(c.same_data("q_in", "fp_x"));
  c.release("fp_x");
  CHECK(c.memory_bytes() == bytes);  // still held by q_in
  CHECK(torch::equal(c.slice("q_in", 0, 6), data));
  c.create("fp_x", 6, {4});
  CHECK_FALSE(c.same_data("q_in", "fp_x"));
  c.release("q_in");
  CHECK(c.memory_bytes() == bytes);  // only the new fp_x
}
