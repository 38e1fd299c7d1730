#include <catch2/catch.hpp>

#include "framework/core/check.h"
#include "framework/data/image_folder.h"
#include "framework/data/jpeg.h"
#include "tests/framework/data/jpeg_writer.h"
#include "tests/support/temp_dir.h"
#include "tests/support/tensors.h"

#include <filesystem>

using namespace ptq;
using Catch::Matchers::Contains;

namespace {

const std::vector<double> kMean{0.485, 0.456, 0.406}, kStd{0.229, 0.224, 0.225};
// Three grey levels of JPEG error, in normalised units.
const double kTol = 3.0 / 255.0 / 0.224;

// The expected normalised [3, s, s] image for a solid RGB colour.
torch::Tensor solid(std::vector<double> rgb, int64_t s) {
  auto out = torch::empty({3, s, s});
  for (int c = 0; c < 3; ++c) out[c].fill_((rgb[c] / 255.0 - kMean[c]) / kStd[c]);
  return out;
}

// root/{zebra,apple,mango}: labels apple=0, mango=1, zebra=2.
struct Fixture {
  test::TempDir dir;
  std::string root = (dir.path() / "imgs").string();
  Fixture() {
    std::filesystem::create_directories(root + "/apple");
    std::filesystem::create_directories(root + "/mango/sub");
    std::filesystem::create_directories(root + "/zebra");
    std::filesystem::create_directories(root + "/.hidden");
    test::write_solid_jpeg(root + "/zebra/b.jpg", 40, 30, {30, 60, 220});
    test::write_solid_jpeg(root + "/apple/2.JPEG", 40, 30, {20, 180, 60});
    test::write_solid_jpeg(root + "/apple/1.jpeg", 40, 30, {200, 30, 40});
    test::write_solid_jpeg(root + "/mango/grey.Jpg", 40, 30, {128});
    test::write_gradient_jpeg(root + "/mango/sub/gradient.jpg", 40, 30);
    test::write_solid_jpeg(root + "/zebra/cmyk.jpg", 40, 30, {255, 128, 0, 255});
    test::write_solid_jpeg(root + "/.hidden/x.jpg", 8, 8, {0, 0, 0});
    dir.write("imgs/apple/notes.txt", "not an image");
  }
  data::ImageFolderOptions options(int64_t resize = 256, int64_t crop = 224) const {
    data::ImageFolderOptions o;
    o.root = root;
    o.resize = resize;
    o.crop = crop;
    return o;
  }
};

}  // namespace

TEST_CASE("data: image folder indexes classes and files in sorted order", "[data]") {
  Fixture f;
  const auto ds = data::load_image_folder(f.options());
  CHECK(ds->class_names() == std::vector<std::string>{"apple", "mango", "zebra"});
  REQUIRE(ds->size() == 6);
  CHECK(ds->num_classes() == 3);
  const std::vector<std::string> files{"apple/1.jpeg", "apple/2.JPEG", "mango/grey.Jpg",
                                       "mango/sub/gradient.jpg", "zebra/b.jpg", "zebra/cmyk.jpg"};
  for (int64_t i = 0; i < 6; ++i) {
    CHECK(ds->path(i) == f.root + "/" + files[i]);
    CHECK(ds->label(i) == std::vector<int64_t>{0, 0, 1, 1, 2, 2}[i]);
  }
  CHECK_THAT(ds->describe(), Contains("6 images") && Contains("3 classes"));
}

TEST_CASE("data: image folder decodes solid, grey and CMYK JPEGs to normalised RGB", "[data]") {
  Fixture f;
  const auto ds = data::load_image_folder(f.options());
  auto [x, y] = ds->batch({0, 1, 2, 4, 5});
  REQUIRE(x.sizes() == torch::IntArrayRef{5, 3, 224, 224});
  CHECK(torch::equal(y, torch::tensor({0, 0, 1, 2, 2}, torch::kInt64)));
  PTQ_REQUIRE_CLOSE(x[0], solid({200, 30, 40}, 224), 0, kTol);
  PTQ_REQUIRE_CLOSE(x[1], solid({20, 180, 60}, 224), 0, kTol);
  PTQ_REQUIRE_CLOSE(x[2], solid({128, 128, 128}, 224), 0, kTol);
  PTQ_REQUIRE_CLOSE(x[3], solid({30, 60, 220}, 224), 0, kTol);
  PTQ_REQUIRE_CLOSE(x[4], solid({255, 128, 0}, 224), 0, kTol);  // Adobe-inverted CMYK

  // Smaller pipeline: shorter side 32 (30x40 -> 32x42), centre crop 24.
  auto small = data::load_image_folder(f.options(32, 24));
  PTQ_REQUIRE_CLOSE(small->image(0), solid({200, 30, 40}, 24), 0, kTol);
  // No resize, crop larger than the image: zero (pixel) padding, i.e. -mean/std at the border.
  auto padded = data::load_image_folder(f.options(0, 36))->image(4);
  CHECK(padded[0][0][0].item<float>() == Approx(-kMean[0] / kStd[0]).margin(1e-5));
  CHECK(padded[2][18][18].item<float>() == Approx((220 / 255.0 - kMean[2]) / kStd[2]).margin(kTol));
}

TEST_CASE("data: read_jpeg returns HxWx3 uint8", "[data]") {
  Fixture f;
  const auto img = data::read_jpeg(f.root + "/mango/grey.Jpg");
  CHECK(img.sizes() == torch::IntArrayRef{30, 40, 3});
  CHECK(img.scalar_type() == torch::kUInt8);
  CHECK(std::abs(img[5][5][1].item<int>() - 128) <= 2);
}

TEST_CASE("data: calibration augmentation is seeded, per image and order independent", "[data]") {
  Fixture f;
  auto opts = f.options(0, 16);
  opts.calibration_augment = true;
  opts.seed = 11;
  const auto a = data::load_image_folder(opts);
  const auto b = data::load_image_folder(opts);
  auto [xa, ya] = a->batch({3, 0, 3});
  auto [xb, yb] = b->batch({3});
  REQUIRE(xa.sizes() == torch::IntArrayRef{3, 3, 16, 16});
  CHECK(torch::equal(xa[0], xb[0]));
  CHECK(torch::equal(xa[0], xa[2]));
  CHECK(torch::equal(a->image(3), xb[0]));
  // Other seeds give other crops/flips of the gradient image.
  int differing = 0;
  for (uint64_t seed = 12; seed < 17; ++seed) {
    opts.seed = seed;
    differing += !torch::equal(data::load_image_folder(opts)->image(3), xa[0]);
  }
  CHECK(differing >= 4);
  // Solid colours stay solid under any crop or flip.
  PTQ_REQUIRE_CLOSE(xa[1], solid({200, 30, 40}, 16), 0, kTol);
}

TEST_CASE("data: image folder errors name the path", "[data]") {
  test::TempDir dir;
  data::ImageFolderOptions o;
  o.root = dir.file("nope");
  REQUIRE_THROWS_AS(data::load_image_folder(o), UserError);
  REQUIRE_THROWS_WITH(data::load_image_folder(o), Contains(o.root) && Contains("does not exist"));

  o.root = dir.path().string();
  dir.write("stray.jpg", "x");
  REQUIRE_THROWS_WITH(data::load_image_folder(o), Contains(o.root) && Contains("no class directories"));

  dir.write("cls/readme.txt", "x");
  REQUIRE_THROWS_WITH(data::load_image_folder(o),
                      Contains(dir.file("cls")) && Contains("no JPEG images") && Contains("1 other"));

  const auto bad = dir.write("cls/bad.jpg", "this is not a jpeg");
  test::write_solid_jpeg(dir.file("cls/good.jpg"), 8, 8, {1, 2, 3});
  const auto ds = data::load_image_folder(o);  // indexing does not decode
  CHECK(ds->size() == 2);
  CHECK(ds->batch({1}).first.size(0) == 1);
  REQUIRE_THROWS_AS(ds->batch({1, 0}), UserError);
  REQUIRE_THROWS_WITH(ds->batch({1, 0}), Contains("cannot decode JPEG") && Contains(bad));
  REQUIRE_THROWS_WITH(ds->batch({2}), Contains("index 2"));

  o.crop = 0;
  REQUIRE_THROWS_WITH(data::load_image_folder(o), Contains("crop must be positive"));
}
