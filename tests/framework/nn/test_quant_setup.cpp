#include <catch2/catch.hpp>

#include "framework/nn/quant_setup.h"
#include "framework/nn/resnet.h"
#include "framework/nn/zoo.h"
#include "tests/support/fixtures.h"

using namespace ptq;

namespace {
QuantModel resnet8() { return create_model("resnet8", test::fmnist_model_options()); }
std::map<std::string, std::string> active(const QuantModelImpl& m) {
  std::map<std::string, std::string> out;
  for (const auto& u : m.units()) {
    if (u->input_quantizer->configured()) out[u->unit_name() + ".in"] = u->input_quantizer->options().spec.to_string();
    if (u->output_quantizer->configured()) out[u->unit_name() + ".out"] = u->output_quantizer->options().spec.to_string();
    for (const auto& e : u->layers()) {
      if (e.layer->weight_quantizer->configured()) out[e.name + ".w"] = e.layer->weight_quantizer->options().spec.to_string();
      if (e.layer->input_quantizer->configured()) out[e.name + ".in"] = e.layer->input_quantizer->options().spec.to_string();
      if (e.layer->output_quantizer->configured()) out[e.name + ".out"] = e.layer->output_quantizer->options().spec.to_string();
    }
  }
  return out;
}
}  // namespace

TEST_CASE("output policy places quantisers where BRECQ/QDrop do", "[nn]") {
  auto m = resnet8();
  QuantSetup s;  // W4A4, stem weights 8-bit, stem output A-bit, FC weights and input 8-bit
  apply_quant_setup(*m, s);
  const std::map<std::string, std::string> expected{
      {"conv1.w", "uint8/ch"},          {"conv1.out", "uint4/tensor"},
      {"layer1.0.conv1.w", "uint4/ch"}, {"layer1.0.conv1.out", "uint4/tensor"},
      {"layer1.0.conv2.w", "uint4/ch"}, {"layer1.0.out", "uint4/tensor"},
      {"layer2.0.conv1.w", "uint4/ch"}, {"layer2.0.conv1.out", "uint4/tensor"},
      {"layer2.0.conv2.w", "uint4/ch"}, {"layer2.0.downsample.0.w", "uint4/ch"},
      {"layer2.0.out", "uint4/tensor"}, {"layer3.0.conv1.w", "uint4/ch"},
      {"layer3.0.conv1.out", "uint4/tensor"}, {"layer3.0.conv2.w", "uint4/ch"},
      {"layer3.0.downsample.0.w", "uint4/ch"}, {"layer3.0.out", "uint8/tensor"},  // FC input
      {"fc.w", "uint8/ch"},
  };
  CHECK(active(*m) == expected);
}

TEST_CASE("BRECQ's 8-bit stem output is an explicit option", "[nn]") {
  auto m = resnet8();
  QuantSetup s;
  s.first_layer_act_bits = 8;
  apply_quant_setup(*m, s);
  CHECK(active(*m).at("conv1.out") == "uint8/tensor");
}

TEST_CASE("input policy quantises layer inputs with one shared quantiser at block entry", "[nn]") {
  auto m = resnet8();
  QuantSetup s;
  s.act_position = ActPosition::Input;
  apply_quant_setup(*m, s);
  const auto a = active(*m);
  CHECK(a.count("conv1.in") == 0);  // the image is not quantised
  CHECK(a.at("layer2.0.in") == "uint4/tensor");
  CHECK(a.count("layer2.0.conv1.in") == 0);
  CHECK(a.count("layer2.0.downsample.0.in") == 0);
  CHECK(a.at("layer2.0.conv2.in") == "uint4/tensor");
  CHECK(a.at("fc.in") == "uint8/tensor");
  CHECK(a.count("layer3.0.out") == 0);
}

TEST_CASE("weight-only setups leave activations in float", "[nn]") {
  auto m = resnet8();
  QuantSetup s;
  s.quantize_activations = false;
  const int n = apply_quant_setup(*m, s);
  CHECK(n == static_cast<int>(m->layers().size()));
}
