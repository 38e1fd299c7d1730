#include <catch2/catch.hpp>

#include "framework/core/check.h"
#include "framework/data/dataset.h"
#include "framework/io/mapped_tensor.h"
#include "tests/support/file_size_limit.h"
#include "tests/support/temp_dir.h"

#include <filesystem>
#include <set>

using namespace ptq;
using Catch::Matchers::Contains;

TEST_CASE("data: sample_indices draws distinct, reproducible, seed-dependent indices", "[data]") {
  const auto a = data::sample_indices(1000, 100, 7);
  REQUIRE(a.size() == 100);
  const std::set<int64_t> unique(a.begin(), a.end());
  CHECK(unique.size() == 100);
  CHECK(*unique.begin() >= 0);
  CHECK(*unique.rbegin() < 1000);
  CHECK(data::sample_indices(1000, 100, 7) == a);
  CHECK(data::sample_indices(1000, 100, 8) != a);

  const auto all = data::sample_indices(50, 50, 3);
  CHECK(std::set<int64_t>(all.begin(), all.end()).size() == 50);
  CHECK(data::sample_indices(10, 0, 3).empty());
}

TEST_CASE("data: sample_indices refuses more samples than the population", "[data]") {
  REQUIRE_THROWS_AS(data::sample_indices(10, 11, 0), UserError);
  REQUIRE_THROWS_WITH(data::sample_indices(10, 11, 0), Contains("11") && Contains("10"));
}

TEST_CASE("data: TensorDataset batches, checks and infers classes", "[data]") {
  auto images = torch::arange(6 * 2 * 3 * 3, torch::kFloat32).view({6, 2, 3, 3});
  auto labels = torch::tensor({0, 1, 2, 0, 1, 4}, torch::kInt32);
  data::TensorDataset ds(images, labels);
  CHECK(ds.size() == 6);
  CHECK(ds.num_classes() == 5);
  auto [x, y] = ds.batch({5, 1});
  CHECK(x.sizes() == torch::IntArrayRef{2, 2, 3, 3});
  CHECK(y.scalar_type() == torch::kInt64);
  CHECK(y[0].item<int64_t>() == 4);
  CHECK(torch::equal(x[1], images[1]));
  CHECK_THAT(ds.describe(), Contains("6 images"));
  REQUIRE_THROWS_WITH(ds.batch({6}), Contains("index 6") && Contains("6 images"));
  REQUIRE_THROWS_AS(data::TensorDataset(images, labels.slice(0, 0, 5)), UserError);
  REQUIRE_THROWS_AS(data::TensorDataset(images, labels, 3), UserError);
}

TEST_CASE("data: calibration_images stacks a seeded sample", "[data]") {
  auto images = torch::randn({300, 3, 4, 4});
  data::TensorDataset ds(images, torch::zeros({300}, torch::kInt64), 1);
  data::CalibrationOptions opts;
  opts.num_samples = 270;  // more than one internal chunk
  opts.seed = 5;
  const auto calib = data::calibration_images(ds, opts);
  REQUIRE(calib.sizes() == torch::IntArrayRef{270, 3, 4, 4});
  const auto idx = data::sample_indices(300, 270, 5);
  CHECK(torch::equal(calib[0], images[idx[0]]));
  CHECK(torch::equal(calib[269], images[idx[269]]));
  CHECK(torch::equal(data::calibration_images(ds, opts), calib));
  opts.num_samples = 301;
  REQUIRE_THROWS_WITH(data::calibration_images(ds, opts), Contains("301") && Contains("300"));
}

TEST_CASE("data: a calibration set over calibration.memory_mb streams from a mapped file, same values",
          "[data]") {
  auto images = torch::randn({300, 3, 16, 16});  // 270 images: 0.8 MiB
  data::TensorDataset ds(images, torch::zeros({300}, torch::kInt64), 1);
  data::CalibrationOptions opts;
  opts.num_samples = 270;
  opts.seed = 3;
  const auto in_memory = data::calibration_images(ds, opts);
  CHECK_FALSE(io::is_mapped_tensor(in_memory));
  test::TempDir dir;
  opts.memory_mb = 0;
  opts.spill_dir = dir.path().string();
  auto mapped = data::calibration_images(ds, opts);
  CHECK(io::is_mapped_tensor(mapped));
  CHECK(torch::equal(mapped, in_memory));
  // Ordinary tensor operations work on it (slices are views of the mapping).
  CHECK(io::is_mapped_tensor(mapped.narrow(0, 100, 32)));
  CHECK(torch::equal(mapped.index_select(0, torch::tensor({5, 200})), in_memory.index_select(0, torch::tensor({5, 200}))));
  CHECK(mapped.sum().item<double>() == Approx(in_memory.sum().item<double>()));
  // The spill file was unlinked at once: nothing is left in the folder.
  CHECK(std::filesystem::is_empty(dir.path()));
  mapped = torch::Tensor();  // unmapped and freed here
  // No room for the file: a clear error naming the settings, before any image is copied.
  {
    test::FileSizeLimit limit(64 << 10);
    REQUIRE_THROWS_WITH(data::calibration_images(ds, opts),
                        Contains("calibration set: cannot reserve 0.8 MiB on disk") && Contains("File too large") &&
                            Contains("calibration.spill_dir") && Contains("calibration.memory_mb"));
  }
  opts.spill_dir = "/nonexistent/ptq-spill";
  REQUIRE_THROWS_WITH(data::calibration_images(ds, opts), Contains("/nonexistent/ptq-spill"));
}

TEST_CASE("data: for_each_batch walks the dataset in order", "[data]") {
  auto images = torch::arange(7, torch::kFloat32).view({7, 1, 1, 1});
  data::TensorDataset ds(images, torch::arange(7));
  std::vector<int64_t> sizes;
  std::vector<float> seen;
  data::for_each_batch(ds, 3, [&](const torch::Tensor& x, const torch::Tensor& y) {
    sizes.push_back(x.size(0));
    CHECK(torch::equal(x.flatten().to(torch::kInt64), y));
    for (int64_t i = 0; i < x.size(0); ++i) seen.push_back(x[i].item<float>());
  });
  CHECK(sizes == std::vector<int64_t>{3, 3, 1});
  CHECK(seen == std::vector<float>{0, 1, 2, 3, 4, 5, 6});
  REQUIRE_THROWS_AS(data::for_each_batch(ds, 0, [](auto&, auto&) {}), UserError);
}
