#include <catch2/catch.hpp>

#include "framework/nn/quant_setup.h"
#include "framework/nn/regnet.h"
#include "framework/nn/state.h"
#include "framework/nn/zoo.h"
#include "tests/support/model_inspect.h"

using namespace ptq;
using Shape = std::vector<int64_t>;
using test::find_unit;
using test::parameter_count;
using test::shape_of;

TEST_CASE("RegNetX stage widths and depths are torchvision's", "[nn]") {
  const auto x400 = regnet_stages(regnetx_400mf_design());
  CHECK(x400.widths == Shape{32, 64, 160, 400});
  CHECK(x400.depths == Shape{1, 2, 7, 12});
  CHECK(x400.group_widths == Shape{16, 16, 16, 16});
  const auto x600 = regnet_stages(regnetx_600mf_design());
  CHECK(x600.widths == Shape{48, 96, 240, 528});
  CHECK(x600.depths == Shape{1, 3, 5, 7});
  CHECK(x600.group_widths == Shape{24, 24, 24, 24});
  RegNetDesign bad;
  bad.w_0 = 20;
  REQUIRE_THROWS_WITH(regnet_stages(bad), Catch::Contains("w_0 a positive multiple of 8") && Catch::Contains("w_0 20"));
}

TEST_CASE("RegNetX-400MF state uses torchvision's names and shapes", "[nn]") {
  auto m = create_model("regnetx_400mf", {});
  const auto s = model_state(*m);
  // stem 6 + 22 blocks x 18 + 4 proj x 6 + fc 2
  CHECK(s.size() == 428);
  CHECK(parameter_count(*m) == 5495976);  // torchvision's num_params for regnet_x_400mf
  CHECK(shape_of(s, "stem.0.weight") == Shape{32, 3, 3, 3});
  CHECK(shape_of(s, "stem.1.running_mean") == Shape{32});
  const std::string b10 = "trunk_output.block1.block1-0.";
  CHECK(shape_of(s, b10 + "proj.0.weight") == Shape{32, 32, 1, 1});
  CHECK(shape_of(s, b10 + "proj.1.weight") == Shape{32});
  CHECK(shape_of(s, b10 + "f.a.0.weight") == Shape{32, 32, 1, 1});
  CHECK(shape_of(s, b10 + "f.b.0.weight") == Shape{32, 16, 3, 3});  // 2 groups of 16
  CHECK(shape_of(s, b10 + "f.c.1.running_var") == Shape{32});
  CHECK(s.count(b10 + "f.c.1.num_batches_tracked"));
  CHECK(shape_of(s, "trunk_output.block2.block2-0.proj.0.weight") == Shape{64, 32, 1, 1});
  CHECK(s.count("trunk_output.block2.block2-1.proj.0.weight") == 0);
  CHECK(shape_of(s, "trunk_output.block3.block3-6.f.b.0.weight") == Shape{160, 16, 3, 3});
  CHECK(shape_of(s, "trunk_output.block4.block4-11.f.c.0.weight") == Shape{400, 400, 1, 1});
  CHECK(s.count("trunk_output.block4.block4-12.f.a.0.weight") == 0);
  CHECK(shape_of(s, "fc.weight") == Shape{1000, 400});
  CHECK(shape_of(s, "fc.bias") == Shape{1000});
  CHECK(m->units().size() == 24);  // stem, 22 blocks, head
}

TEST_CASE("RegNetX-600MF state uses torchvision's names and shapes", "[nn]") {
  auto m = create_model("regnetx_600mf", {});
  const auto s = model_state(*m);
  CHECK(s.size() == 320);  // stem 6 + 16 x 18 + 4 x 6 + fc 2
  // torchvision has no regnet_x_600mf builder; this is its RegNet class built from
  // BlockParams.from_init_params(depth=16, w_0=48, w_a=36.97, w_m=2.24, group_width=24).
  CHECK(parameter_count(*m) == 6196040);
  CHECK(shape_of(s, "trunk_output.block1.block1-0.proj.0.weight") == Shape{48, 32, 1, 1});
  CHECK(shape_of(s, "trunk_output.block1.block1-0.f.b.0.weight") == Shape{48, 24, 3, 3});
  CHECK(shape_of(s, "trunk_output.block2.block2-2.f.a.0.weight") == Shape{96, 96, 1, 1});
  CHECK(shape_of(s, "trunk_output.block3.block3-0.proj.0.weight") == Shape{240, 96, 1, 1});
  CHECK(shape_of(s, "trunk_output.block4.block4-6.f.b.0.weight") == Shape{528, 24, 3, 3});
  CHECK(shape_of(s, "fc.weight") == Shape{1000, 528});
}

TEST_CASE("RegNetX runs at small sizes; small_input makes the stem stride 1", "[nn]") {
  ModelOptions o;
  o.num_classes = 10;
  o.image_size = 32;
  o.small_input = true;
  auto m = create_model("regnetx_400mf", o);
  m->eval();
  CHECK(m->forward_units(torch::randn({2, 3, 32, 32}), 0, 1).sizes() == torch::IntArrayRef({2, 32, 32, 32}));
  CHECK(m->forward(torch::randn({2, 3, 32, 32})).sizes() == torch::IntArrayRef({2, 10}));
}

TEST_CASE("RegNet block: f.c and proj feed the add, the block quantises after add + ReLU", "[nn]") {
  ModelOptions o;
  o.num_classes = 10;
  o.image_size = 64;
  auto m = create_model("regnetx_400mf", o);
  apply_quant_setup(*m, QuantSetup{});
  for (const std::string name : {"trunk_output.block2.block2-0", "trunk_output.block2.block2-1"}) {
    INFO(name);
    const auto& u = find_unit(*m, name);
    const bool proj = name.back() == '0';
    const auto& layers = u.layers();
    REQUIRE(layers.size() == (proj ? 4u : 3u));
    CHECK(layers[0].name == name + ".f.a.0");
    CHECK(layers[0].reads_unit_input);
    CHECK(layers[0].layer->output_quantizer->configured());
    CHECK(layers[1].name == name + ".f.b.0");
    CHECK(layers[1].layer->output_quantizer->configured());
    CHECK(layers[2].name == name + ".f.c.0");
    CHECK(layers[2].feeds_add);
    CHECK_FALSE(layers[2].layer->output_quantizer->configured());
    if (proj) {
      CHECK(layers[3].name == name + ".proj.0");
      CHECK((layers[3].feeds_add && layers[3].reads_unit_input));
      CHECK_FALSE(layers[3].layer->output_quantizer->configured());
    }
    for (const auto& e : layers) CHECK(e.layer->weight_quantizer->options().spec.to_string() == "uint4/ch");
    CHECK(u.output_quantizer->options().spec.to_string() == "uint4/tensor");
  }
  // The last block's output is the FC input (QDrop's fix): 8 bits.
  CHECK(find_unit(*m, "trunk_output.block4.block4-11").output_quantizer->options().spec.to_string() ==
        "uint8/tensor");
  CHECK(find_unit(*m, "stem").layers().at(0).layer->weight_quantizer->options().spec.to_string() == "uint8/ch");
}
