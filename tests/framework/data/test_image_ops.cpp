#include <catch2/catch.hpp>

#include "framework/data/image_ops.h"
#include "tests/support/tensors.h"

using namespace ptq;

TEST_CASE("data: shorter_side_size follows torchvision's Resize(int)", "[data]") {
  CHECK(data::shorter_side_size(375, 500, 256) == std::pair<int64_t, int64_t>{256, 341});
  CHECK(data::shorter_side_size(500, 375, 256) == std::pair<int64_t, int64_t>{341, 256});
  CHECK(data::shorter_side_size(30, 40, 256) == std::pair<int64_t, int64_t>{256, 341});
  CHECK(data::shorter_side_size(100, 100, 10) == std::pair<int64_t, int64_t>{10, 10});
}

TEST_CASE("data: center_crop uses round-half-even offsets and zero padding", "[data]") {
  auto img = torch::arange(9 * 8, torch::kFloat32).view({1, 9, 8});
  // (9-4)/2 = 2.5 -> 2, (8-4)/2 = 2.
  CHECK(torch::equal(data::center_crop(img, 4), img.slice(1, 2, 6).slice(2, 2, 6)));
  auto img11 = torch::arange(11 * 11, torch::kFloat32).view({1, 11, 11});
  CHECK(torch::equal(data::center_crop(img11, 4), img11.slice(1, 4, 8).slice(2, 4, 8)));  // 3.5 -> 4
  auto small = torch::ones({3, 2, 3});
  auto padded = data::center_crop(small, 4);
  CHECK(padded.sizes() == torch::IntArrayRef{3, 4, 4});
  CHECK(padded.sum().item<float>() == 18.0f);
  CHECK(padded[0][0].sum().item<float>() == 0.0f);  // top row padded
}

TEST_CASE("data: random_resized_crop_box stays inside, is seeded and falls back", "[data]") {
  data::DataRng a(3), b(3);
  for (int i = 0; i < 200; ++i) {
    const auto box = data::random_resized_crop_box(30, 40, a);
    const auto again = data::random_resized_crop_box(30, 40, b);
    CHECK(box.top == again.top);
    CHECK(box.width == again.width);
    CHECK(box.top >= 0);
    CHECK(box.left >= 0);
    CHECK(box.height >= 1);
    CHECK(box.top + box.height <= 30);
    CHECK(box.left + box.width <= 40);
  }
  // A 1x100 strip: no attempt can fit, so the centred fallback clamps to ratio 4/3.
  data::DataRng c(0);
  const auto box = data::random_resized_crop_box(1, 100, c);
  CHECK(box.height == 1);
  CHECK(box.width == 1);
  CHECK(box.left == 49);
}

TEST_CASE("data: resize_pil_like keeps constants and rounds to whole levels", "[data]") {
  auto flat = torch::full({3, 30, 40}, 77.0f);
  PTQ_REQUIRE_CLOSE(data::resize_pil_like(flat, 256, 341), torch::full({3, 256, 341}, 77.0f), 0, 1e-4);
  auto ramp = torch::linspace(0, 255, 64).view({1, 1, 64}).expand({1, 8, 64}).contiguous();
  auto down = data::resize_pil_like(ramp, 4, 16);
  CHECK(down.sizes() == torch::IntArrayRef{1, 4, 16});
  CHECK(torch::equal(down, down.round()));
  // PIL's antialiased bilinear for a 4x reduction: a triangle of half-width 4 source pixels
  // centred at x = 2, clipped at the border -> weights .625 .875 .875 .625 .375 .125 on x = 0..5.
  const double expected = 255.0 / 63 * (0.875 * 1 + 0.875 * 2 + 0.625 * 3 + 0.375 * 4 + 0.125 * 5) / 3.5;
  CHECK(down[0][0][0].item<float>() == std::round(expected));
}

TEST_CASE("data: to_unit_normalized matches ToTensor + Normalize", "[data]") {
  auto x = torch::full({2, 3, 2, 2}, 255.0f);
  auto y = data::to_unit_normalized(x, {0.5, 0.25, 0.0}, {0.5, 0.25, 2.0});
  PTQ_REQUIRE_CLOSE(y[1].select(0, 0), torch::full({2, 2}, 1.0f), 0, 1e-6);
  PTQ_REQUIRE_CLOSE(y[1].select(0, 1), torch::full({2, 2}, 3.0f), 0, 1e-6);
  PTQ_REQUIRE_CLOSE(y[1].select(0, 2), torch::full({2, 2}, 0.5f), 0, 1e-6);
}
