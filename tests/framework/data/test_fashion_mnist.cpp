#include <catch2/catch.hpp>

#include "framework/core/check.h"
#include "framework/data/fashion_mnist.h"
#include "tests/support/temp_dir.h"

#include <filesystem>

using namespace ptq;
using Catch::Matchers::Contains;

namespace {

// The real files come from Debian's dataset-fashion-mnist; without them these cases only warn.
bool have_files() {
  if (std::filesystem::exists(data::FashionMnistOptions{}.root + "/train-images-idx3-ubyte.gz"))
    return true;
  WARN("Fashion-MNIST not installed (apt-get install dataset-fashion-mnist); skipping");
  return false;
}

std::vector<int64_t> range(int64_t n) {
  std::vector<int64_t> v(n);
  for (int64_t i = 0; i < n; ++i) v[i] = i;
  return v;
}

}  // namespace

TEST_CASE("data: Fashion-MNIST train and test splits have the published sizes", "[data]") {
  if (!have_files()) return;
  const auto train = data::load_fashion_mnist();
  CHECK(train->size() == 60000);
  CHECK(train->num_classes() == 10);
  data::FashionMnistOptions test_opts;
  test_opts.train = false;
  const auto test = data::load_fashion_mnist(test_opts);
  CHECK(test->size() == 10000);
  CHECK_THAT(test->describe(), Contains("test split"));

  auto [x, y] = test->batch(range(10000));
  CHECK(x.sizes() == torch::IntArrayRef{10000, 1, 28, 28});
  CHECK(y.scalar_type() == torch::kInt64);
  CHECK(y.min().item<int64_t>() == 0);
  CHECK(y.max().item<int64_t>() == 9);
  // The test split is balanced: 1,000 images per class.
  CHECK(torch::equal(torch::bincount(y), torch::full({10}, 1000, torch::kInt64)));
  CHECK(data::fashion_mnist_class_names().size() == 10);
  CHECK(data::fashion_mnist_class_names()[9] == "Ankle boot");
}

TEST_CASE("data: Fashion-MNIST normalised training pixels have mean ~0 and std ~1", "[data]") {
  if (!have_files()) return;
  const auto train = data::load_fashion_mnist();
  auto [x, y] = train->batch(range(train->size()));
  CHECK(x.mean().item<double>() == Approx(0.0).margin(0.01));
  CHECK(x.std().item<double>() == Approx(1.0).margin(0.01));

  data::FashionMnistOptions raw;
  raw.normalize = false;
  raw.limit = 100;
  auto [r, ry] = data::load_fashion_mnist(raw)->batch(range(100));
  CHECK(r.min().item<float>() >= 0.0f);
  CHECK(r.max().item<float>() <= 1.0f);
  CHECK(torch::equal(ry, y.slice(0, 0, 100)));
}

TEST_CASE("data: Fashion-MNIST resize, three_channels and limit shape the batches", "[data]") {
  if (!have_files()) return;
  data::FashionMnistOptions opts;
  opts.train = false;
  opts.resize = 32;
  opts.three_channels = true;
  opts.limit = 50;
  const auto ds = data::load_fashion_mnist(opts);
  CHECK(ds->size() == 50);
  auto [x, y] = ds->batch({0, 49, 3});
  CHECK(x.sizes() == torch::IntArrayRef{3, 3, 32, 32});
  CHECK(torch::equal(x.select(1, 0), x.select(1, 2)));
  REQUIRE_THROWS_WITH(ds->batch({50}), Contains("index 50"));

  opts.limit = 1000000;  // more than the split: all of it
  CHECK(data::load_fashion_mnist(opts)->size() == 10000);
}

TEST_CASE("data: Fashion-MNIST missing files name the path and the package", "[data]") {
  test::TempDir dir;
  data::FashionMnistOptions opts;
  opts.root = dir.path().string();
  REQUIRE_THROWS_AS(data::load_fashion_mnist(opts), UserError);
  REQUIRE_THROWS_WITH(data::load_fashion_mnist(opts),
                      Contains(dir.file("train-images-idx3-ubyte.gz")) &&
                          Contains("apt-get install dataset-fashion-mnist"));
  opts.resize = -1;
  REQUIRE_THROWS_WITH(data::load_fashion_mnist(opts), Contains("resize"));
}
