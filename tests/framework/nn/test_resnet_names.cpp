#include <catch2/catch.hpp>

#include "framework/nn/state.h"
#include "framework/nn/zoo.h"

using namespace ptq;

TEST_CASE("ResNet-18 state uses torchvision's 122 names and shapes", "[nn]") {
  auto m = create_model("resnet18", {});
  const auto state = model_state(*m);
  CHECK(state.size() == 122);
  CHECK(state.at("conv1.weight").sizes() == torch::IntArrayRef({64, 3, 7, 7}));
  CHECK(state.count("bn1.num_batches_tracked"));
  CHECK(state.at("layer2.0.downsample.0.weight").sizes() == torch::IntArrayRef({128, 64, 1, 1}));
  CHECK(state.count("layer2.0.downsample.1.running_var"));
  CHECK(state.at("layer4.1.conv2.weight").sizes() == torch::IntArrayRef({512, 512, 3, 3}));
  CHECK(state.at("fc.weight").sizes() == torch::IntArrayRef({1000, 512}));
  CHECK(state.count("fc.bias"));
  CHECK(m->units().size() == 10);  // stem, 8 blocks, head
}

TEST_CASE("ResNet-50 state uses torchvision's 320 names", "[nn]") {
  auto m = create_model("resnet50", {});
  const auto state = model_state(*m);
  CHECK(state.size() == 320);
  CHECK(state.at("layer1.0.conv3.weight").sizes() == torch::IntArrayRef({256, 64, 1, 1}));
  CHECK(state.at("layer3.5.conv2.weight").sizes() == torch::IntArrayRef({256, 256, 3, 3}));
  CHECK(state.at("fc.weight").sizes() == torch::IntArrayRef({1000, 2048}));
}

TEST_CASE("small-input and channel options change the stem", "[nn]") {
  ModelOptions o;
  o.in_channels = 1;
  o.small_input = true;
  o.num_classes = 10;
  o.image_size = 28;
  auto m = create_model("resnet18", o);
  CHECK(model_state(*m).at("conv1.weight").sizes() == torch::IntArrayRef({64, 1, 3, 3}));
  CHECK(m->forward(torch::randn({2, 1, 28, 28})).sizes() == torch::IntArrayRef({2, 10}));
  REQUIRE_THROWS_WITH(create_model("resnet_18", o), Catch::Contains("unknown model 'resnet_18'") &&
                                                      Catch::Contains("did you mean 'resnet18'"));
}
