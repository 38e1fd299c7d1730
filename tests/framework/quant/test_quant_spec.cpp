#include <catch2/catch.hpp>

#include "framework/quant/quant_spec.h"

using namespace ptq;

TEST_CASE("minifloat formats have the OCP maxima", "[quant]") {
  CHECK(MiniFloat::named("e4m3").max_value() == 448.0);
  CHECK(MiniFloat::named("e5m2").max_value() == 57344.0);
  CHECK(MiniFloat::named("e3m2").max_value() == 28.0);
  CHECK(MiniFloat::named("e2m3").max_value() == 7.5);
  CHECK(MiniFloat::named("E2M1").max_value() == 6.0);
  CHECK(MiniFloat::named("e4m3").min_normal() == 1.0 / 64);
  REQUIRE_THROWS_WITH(MiniFloat::named("e4m2"), Catch::Contains("unknown minifloat format 'e4m2'") &&
                                                   Catch::Contains("did you mean"));
}

TEST_CASE("integer grids and descriptions", "[quant]") {
  QuantSpec s;
  s.bits = 4;
  CHECK(s.qmin() == 0);
  CHECK(s.qmax() == 15);
  s.is_signed = true;
  CHECK(s.qmin() == -8);
  CHECK(s.qmax() == 7);
  s.granularity = Granularity::Channel;
  s.symmetric = true;
  CHECK(s.to_string() == "int4s/ch");
  s.granularity = Granularity::Group;
  s.group_size = 64;
  CHECK(s.to_string() == "int4s/g64");
  QuantSpec f;
  f.format = NumberFormat::Float;
  f.minifloat = MiniFloat::named("e5m2");
  f.bits = 8;
  f.symmetric = true;
  CHECK(f.to_string() == "e5m2/tensor");
}

TEST_CASE("inconsistent specs are rejected with the offending field", "[quant]") {
  QuantSpec s;
  s.bits = 1;
  REQUIRE_THROWS_WITH(s.validate("quant.weight"), Catch::Contains("quant.weight.bits: expected an integer in [2, 16], got 1"));
  QuantSpec f;
  f.format = NumberFormat::Float;
  f.minifloat = MiniFloat::named("e4m3");
  f.bits = 6;
  f.symmetric = true;
  REQUIRE_THROWS_WITH(f.validate("quant.act"), Catch::Contains("does not match the minifloat format e4m3"));
  f.bits = 8;
  f.symmetric = false;
  REQUIRE_THROWS_WITH(f.validate("quant.act"), Catch::Contains("minifloat quantisation is symmetric"));
}
