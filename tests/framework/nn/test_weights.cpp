#include <catch2/catch.hpp>

#include "framework/io/safetensors.h"
#include "framework/nn/state.h"
#include "framework/nn/weights.h"
#include "framework/nn/zoo.h"
#include "tests/support/fixtures.h"
#include "tests/support/temp_dir.h"

using namespace ptq;

namespace {
ModelOptions small() { return test::fmnist_model_options(); }
}  // namespace

TEST_CASE("weights round-trip through safetensors into a fresh model", "[nn]") {
  test::TempDir dir;
  auto a = create_model("resnet8", small());
  a->eval();
  save_model_weights(*a, dir.file("w.safetensors"));
  auto b = create_model("resnet8", small());
  b->eval();
  load_model_weights(*b, dir.file("w.safetensors"));
  auto x = torch::randn({3, 1, 28, 28});
  CHECK(torch::equal(a->forward(x), b->forward(x)));
}

TEST_CASE("loading reports missing, unexpected and mis-shaped tensors together", "[nn]") {
  test::TempDir dir;
  auto m = create_model("resnet8", small());
  auto state = model_state(*m);
  state.erase("fc.bias");
  state["fc.wieght"] = torch::zeros({10, 64});
  state["conv1.weight"] = torch::zeros({16, 3, 3, 3});
  io::save_safetensors(dir.file("bad.safetensors"), state);
  REQUIRE_THROWS_WITH(load_model_weights(*m, dir.file("bad.safetensors")),
                      Catch::Contains("bad.safetensors") && Catch::Contains("3 problem(s)") &&
                          Catch::Contains("missing tensor 'fc.bias'") &&
                          Catch::Contains("unexpected tensor 'fc.wieght' (did you mean 'fc.weight'?)") &&
                          Catch::Contains("tensor 'conv1.weight' has shape [16, 3, 3, 3] but the model expects [16, 1, 3, 3]"));
}

TEST_CASE("a partial load is refused unless allowed, and then loads what matches", "[nn]") {
  test::TempDir dir;
  torch::manual_seed(3);
  auto src = create_model("resnet8", small());
  auto state = model_state(*src);
  state.erase("fc.bias");
  state["extra.weight"] = torch::zeros({2});
  io::save_safetensors(dir.file("partial.safetensors"), state);
  torch::manual_seed(4);
  auto m = create_model("resnet8", small());
  const auto fc_bias_before = model_state(*m).at("fc.bias").clone();
  REQUIRE_THROWS_WITH(load_model_weights(*m, dir.file("partial.safetensors")),
                      Catch::Contains("2 problem(s)") && Catch::Contains("model.allow_partial_load"));
  load_model_weights(*m, dir.file("partial.safetensors"), true);
  const auto loaded = model_state(*m);
  CHECK(torch::equal(loaded.at("conv1.weight"), state.at("conv1.weight")));
  CHECK(torch::equal(loaded.at("fc.bias"), fc_bias_before));  // missing: the model's own value stays
  // Shapes must still match.
  state["conv1.weight"] = torch::zeros({16, 3, 3, 3});
  io::save_safetensors(dir.file("shape.safetensors"), state);
  CHECK_THROWS_WITH(load_model_weights(*m, dir.file("shape.safetensors"), true), Catch::Contains("has shape"));
}

TEST_CASE("a missing weights file names the path", "[nn]") {
  auto m = create_model("resnet8", small());
  REQUIRE_THROWS_WITH(load_model_weights(*m, "/nonexistent/w.safetensors"), Catch::Contains("/nonexistent/w.safetensors"));
}
