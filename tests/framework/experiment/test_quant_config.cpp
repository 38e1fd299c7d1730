#include <catch2/catch.hpp>

#include "framework/config/config.h"
#include "framework/experiment/quant_config.h"

using namespace ptq;

namespace {
QuantSetup setup_of(const std::string& yaml) {
  auto cfg = config::Config::from_string(yaml, "q.yaml");
  auto s = quant_setup_from_config(cfg.section("quant"));
  cfg.check_all_used();
  return s;
}
}  // namespace

TEST_CASE("quant config: integer, minifloat, per-group and symmetric specs", "[experiment]") {
  auto s = setup_of(
      "quant:\n"
      "  weight: {bits: 3, signed: true, symmetric: true, granularity: group, group_size: 64}\n"
      "  act: {format: e4m3, granularity: tensor, observer: minmax}\n");
  CHECK(s.weight.spec.to_string() == "int3s/g64");
  CHECK(s.weight.spec.axis == 1);  // groups run along the input dimension
  CHECK(s.act.spec.to_string() == "e4m3/tensor");
  CHECK(s.act.spec.bits == 8);
  CHECK(short_label(s) == "W3Ae4m3");
}

TEST_CASE("quant config: custom minifloat formats", "[experiment]") {
  auto s = setup_of("quant:\n  act: {format: float, exp_bits: 3, man_bits: 4, specials: finite}\n");
  CHECK(s.act.spec.bits == 8);
  CHECK(s.act.spec.minifloat.max_value() == Approx(31.0));
}

TEST_CASE("quant config: errors name the key", "[experiment]") {
  REQUIRE_THROWS_WITH(setup_of("quant:\n  act: {format: e4m3, bits: 4}\n"),
                      Catch::Contains("quant.act.bits: the minifloat format e4m3 has 8 bits"));
  REQUIRE_THROWS_WITH(setup_of("quant:\n  act: {granularity: group}\n"),
                      Catch::Contains("per-group activation quantisation needs dynamic: true"));
  REQUIRE_THROWS_WITH(setup_of("quant:\n  weight: {observer: mse, steps: 150}\n"),
                      Catch::Contains("shrink search") && Catch::Contains("quant.weight"));
  REQUIRE_THROWS_WITH(setup_of("quant:\n  first_layer: {weight_bits: 1}\n"),
                      Catch::Contains("first_layer") && Catch::Contains("got 1"));
}
