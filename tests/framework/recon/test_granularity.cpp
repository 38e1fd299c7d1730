#include <catch2/catch.hpp>

#include "framework/nn/zoo.h"
#include "framework/recon/granularity.h"
#include "tests/support/fixtures.h"

using namespace ptq;

namespace {

std::vector<std::string> names(const std::vector<ReconGroup>& gs) {
  std::vector<std::string> out;
  for (const auto& g : gs) out.push_back(g.name);
  return out;
}

}  // namespace

TEST_CASE("granularity: block, layer, stage, net and ranges on resnet8", "[recon][granularity]") {
  auto model = create_model("resnet8", test::fmnist_model_options());
  GranularityOptions o;
  auto blocks = make_groups(*model, o);
  CHECK(names(blocks) == std::vector<std::string>{"stem", "layer1.0", "layer2.0", "layer3.0", "head"});
  CHECK(blocks.front().is_stem);
  CHECK(blocks.back().is_head);

  o.kind = "layer";
  auto layers = make_groups(*model, o);
  CHECK(layers.size() == model->layers().size());
  CHECK(layers.front().name == "conv1");
  CHECK(layers.back().name == "fc");
  for (const auto& g : layers) CHECK(group_layers(*model, g).size() == 1);

  o.kind = "stage";  // layer2.0 and layer3.0 downsample: each starts its own stage
  CHECK(names(make_groups(*model, o)) == std::vector<std::string>{"stem", "layer1.0", "layer2.0", "layer3.0", "head"});

  o.kind = "net";
  auto net = make_groups(*model, o);
  REQUIRE(net.size() == 1);
  CHECK(group_layers(*model, net[0]).size() == model->layers().size());

  o.kind = "ranges";
  o.ranges = {{0, 2}, {2, 4}, {4, 5}};
  CHECK(names(make_groups(*model, o)) == std::vector<std::string>{"stem+layer1.0", "layer2.0+layer3.0", "head"});
}

TEST_CASE("granularity: stage groups blocks at one resolution", "[recon][granularity]") {
  auto model = create_model("resnet14", test::fmnist_model_options());
  GranularityOptions o;
  o.kind = "stage";
  CHECK(names(make_groups(*model, o)) ==
        std::vector<std::string>{"stem", "layer1.0+layer1.1", "layer2.0+layer2.1", "layer3.0+layer3.1", "head"});
}

TEST_CASE("granularity: bad ranges and kinds are clear errors", "[recon][granularity]") {
  auto model = create_model("resnet8", test::fmnist_model_options());
  GranularityOptions o;
  o.kind = "ranges";
  o.ranges = {{0, 2}, {3, 5}};
  CHECK_THROWS_WITH(make_groups(*model, o), Catch::Contains("[3, 5) does not continue at unit 2"));
  o.ranges = {{0, 2}};
  CHECK_THROWS_WITH(make_groups(*model, o), Catch::Contains("end at unit 2 but the model has 5 units"));
  o.kind = "stages";
  CHECK_THROWS_WITH(make_groups(*model, o), Catch::Contains("expected one of layer, block, stage, net, window, ranges"));
}
