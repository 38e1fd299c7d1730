#include <catch2/catch.hpp>

#include <torch/torch.h>

#include <filesystem>

#include "framework/io/safetensors.h"
#include "tests/support/temp_dir.h"

using namespace ptq;
using Catch::Contains;

TEST_CASE("saving rejects tensors the format cannot hold, naming them", "[io]") {
  test::TempDir dir;
  const std::string path = dir.file("out.safetensors");
  REQUIRE_THROWS_WITH(io::save_safetensors(path, {{"z", torch::zeros({2}, torch::kComplexFloat)}}),
                      Contains("cannot save tensor 'z' to '" + path + "'") &&
                          Contains("has no safetensors equivalent"));
  REQUIRE_THROWS_WITH(io::save_safetensors(path, {{"u", torch::Tensor()}}),
                      Contains("tensor 'u'") && Contains("undefined"));
  REQUIRE_THROWS_WITH(io::save_safetensors(path, {{"s", torch::eye(3).to_sparse()}}),
                      Contains("tensor 's'") && Contains("layout Sparse") && Contains("to_dense"));
  REQUIRE_THROWS_WITH(io::save_safetensors(path, {{"__metadata__", torch::ones({1})}}),
                      Contains("\"__metadata__\" is reserved"));
  REQUIRE_THROWS_WITH(io::save_safetensors(path, {{"bad\xff", torch::ones({1})}}),
                      Contains("valid UTF-8"));
  REQUIRE_THROWS_WITH(io::save_safetensors(path, {{"w", torch::ones({1})}}, {{"k", "\xc3"}}),
                      Contains("valid UTF-8"));
  CHECK_FALSE(std::filesystem::exists(path));
}

TEST_CASE("a failed save keeps the previous checkpoint", "[io]") {
  test::TempDir dir;
  const std::string path = dir.file("model.safetensors");
  io::save_safetensors(path, {{"w", torch::ones({3})}});
  REQUIRE_THROWS(io::save_safetensors(path, {{"w", torch::ones({3})}, {"z", torch::zeros({1}, torch::kComplexDouble)}}));
  CHECK(torch::equal(io::load_safetensors(path).tensors.at("w"), torch::ones({3})));
  CHECK(std::distance(std::filesystem::directory_iterator(dir.path()), {}) == 1);

  // Saving onto a directory fails in the rename and leaves the directory alone.
  const std::string as_dir = dir.file("taken");
  std::filesystem::create_directories(as_dir + "/x");
  REQUIRE_THROWS_WITH(io::save_safetensors(as_dir, {{"w", torch::ones({3})}}), Contains(as_dir));
  CHECK(std::filesystem::is_directory(as_dir + "/x"));
}
