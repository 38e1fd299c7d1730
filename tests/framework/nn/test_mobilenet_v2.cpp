#include <catch2/catch.hpp>

#include "framework/nn/mobilenet_v2.h"
#include "framework/nn/quant_setup.h"
#include "framework/nn/state.h"
#include "framework/nn/zoo.h"
#include "tests/support/model_inspect.h"

using namespace ptq;

using Shape = std::vector<int64_t>;
using test::find_unit;
using test::parameter_count;
using test::shape_of;

TEST_CASE("MobileNetV2 state uses torchvision's 314 names and shapes", "[nn]") {
  auto m = create_model("mobilenet_v2", {});
  const auto s = model_state(*m);
  CHECK(s.size() == 314);
  CHECK(parameter_count(*m) == 3504872);  // torchvision's num_params for mobilenet_v2
  CHECK(shape_of(s, "features.0.0.weight") == Shape{32, 3, 3, 3});
  CHECK(shape_of(s, "features.0.1.running_var") == Shape{32});
  // t = 1: depthwise at conv.0, project conv.1, its BN conv.2.
  CHECK(shape_of(s, "features.1.conv.0.0.weight") == Shape{32, 1, 3, 3});
  CHECK(shape_of(s, "features.1.conv.1.weight") == Shape{16, 32, 1, 1});
  CHECK(shape_of(s, "features.1.conv.2.bias") == Shape{16});
  CHECK(s.count("features.1.conv.3.weight") == 0);
  // t = 6: expand conv.0, depthwise conv.1, project conv.2, its BN conv.3.
  CHECK(shape_of(s, "features.2.conv.0.0.weight") == Shape{96, 16, 1, 1});
  CHECK(shape_of(s, "features.2.conv.1.0.weight") == Shape{96, 1, 3, 3});
  CHECK(shape_of(s, "features.2.conv.2.weight") == Shape{24, 96, 1, 1});
  CHECK(shape_of(s, "features.2.conv.3.running_mean") == Shape{24});
  CHECK(s.count("features.2.conv.3.num_batches_tracked"));
  CHECK(shape_of(s, "features.14.conv.1.0.weight") == Shape{576, 1, 3, 3});
  CHECK(shape_of(s, "features.17.conv.2.weight") == Shape{320, 960, 1, 1});
  CHECK(shape_of(s, "features.18.0.weight") == Shape{1280, 320, 1, 1});
  CHECK(shape_of(s, "features.18.1.weight") == Shape{1280});
  CHECK(shape_of(s, "classifier.1.weight") == Shape{1000, 1280});
  CHECK(shape_of(s, "classifier.1.bias") == Shape{1000});
  CHECK(m->units().size() == 20);  // stem, 17 inverted residuals, last 1x1 conv, head
}

TEST_CASE("MobileNetV2 adds the residual only for stride 1 and equal widths", "[nn]") {
  auto m = create_model("mobilenet_v2", {});
  auto residual = [&](const std::string& name) {
    return dynamic_cast<const InvertedResidualImpl&>(find_unit(*m, name)).has_residual();
  };
  CHECK_FALSE(residual("features.1"));   // 32 -> 16
  CHECK_FALSE(residual("features.2"));   // stride 2
  CHECK(residual("features.3"));         // 24 -> 24, stride 1
  CHECK_FALSE(residual("features.11"));  // 64 -> 96, stride 1
  CHECK(residual("features.12"));
  CHECK_FALSE(residual("features.14"));  // stride 2
  CHECK_FALSE(residual("features.17"));  // 160 -> 320
}

TEST_CASE("MobileNetV2 runs at small sizes; small_input makes the stem stride 1", "[nn]") {
  ModelOptions o;
  o.num_classes = 10;
  o.image_size = 32;
  o.in_channels = 1;
  o.small_input = true;
  auto m = create_model("mobilenet_v2", o);
  m->eval();
  CHECK(model_state(*m).at("features.0.0.weight").sizes() == torch::IntArrayRef({32, 1, 3, 3}));
  auto stem_out = m->forward_units(torch::randn({2, 1, 32, 32}), 0, 1);
  CHECK(stem_out.sizes() == torch::IntArrayRef({2, 32, 32, 32}));
  CHECK(m->forward(torch::randn({2, 1, 32, 32})).sizes() == torch::IntArrayRef({2, 10}));
}

TEST_CASE("MobileNetV2 output policy: no act-quant on project convs, one per block, 8-bit FC input", "[nn]") {
  ModelOptions o;
  o.num_classes = 10;
  o.image_size = 64;
  auto m = create_model("mobilenet_v2", o);
  apply_quant_setup(*m, QuantSetup{});
  const auto& stem = find_unit(*m, "features.0");
  CHECK(stem.layers().at(0).name == "features.0.0");
  CHECK(stem.layers().at(0).layer->output_quantizer->options().spec.to_string() == "uint4/tensor");
  CHECK(stem.layers().at(0).layer->weight_quantizer->options().spec.to_string() == "uint8/ch");
  CHECK_FALSE(stem.output_quantizer->configured());

  for (const std::string name : {"features.1", "features.2", "features.3"}) {  // t=1; t=6 plain; t=6 residual
    INFO(name);
    const auto& u = find_unit(*m, name);
    const auto& layers = u.layers();
    REQUIRE(layers.size() == (name == "features.1" ? 2u : 3u));
    CHECK(layers.front().reads_unit_input);
    CHECK(layers.back().feeds_add);
    CHECK(layers.back().name == (name == "features.1" ? name + ".conv.1" : name + ".conv.2"));
    for (size_t i = 0; i + 1 < layers.size(); ++i) CHECK(layers[i].layer->output_quantizer->configured());
    CHECK_FALSE(layers.back().layer->output_quantizer->configured());
    CHECK(u.output_quantizer->options().spec.to_string() == "uint4/tensor");
    CHECK_FALSE(u.input_quantizer->configured());
  }
  // features.18 has exactly one output quantiser, the unit's, raised to 8 bits as the FC input.
  const auto& last = find_unit(*m, "features.18");
  CHECK(last.role() == UnitRole::Block);
  CHECK_FALSE(last.layers().at(0).layer->output_quantizer->configured());
  CHECK(last.output_quantizer->options().spec.to_string() == "uint8/tensor");
  const auto& head = find_unit(*m, "head");
  CHECK(head.layers().at(0).name == "classifier.1");
  CHECK(head.layers().at(0).layer->weight_quantizer->options().spec.to_string() == "uint8/ch");
  CHECK_FALSE(head.layers().at(0).layer->output_quantizer->configured());
}

TEST_CASE("MobileNetV2 input policy shares one quantiser at block entry", "[nn]") {
  ModelOptions o;
  o.num_classes = 10;
  o.image_size = 64;
  auto m = create_model("mobilenet_v2", o);
  QuantSetup s;
  s.act_position = ActPosition::Input;
  apply_quant_setup(*m, s);
  const auto& u = find_unit(*m, "features.3");
  CHECK(u.input_quantizer->configured());
  CHECK_FALSE(u.layers().at(0).layer->input_quantizer->configured());  // expand reads the shared entry
  CHECK(u.layers().at(1).layer->input_quantizer->configured());
  CHECK(u.layers().at(2).layer->input_quantizer->configured());
  CHECK(find_unit(*m, "head").layers().at(0).layer->input_quantizer->options().spec.to_string() == "uint8/tensor");
}
