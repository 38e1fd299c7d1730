// --set overrides: YAML-typed values, created keys, and malformed overrides.
#include <catch2/catch.hpp>

#include "framework/config/config.h"

using ptq::config::Config;

namespace {
Config with(const std::vector<std::string>& sets) {
  return Config::from_string("quant:\n  w_bits: 4\nmethod:\n  name: rtn\nempty:\n", "x.yaml", sets);
}
}  // namespace

TEST_CASE("config: override values are parsed as YAML", "[config]") {
  const Config cfg = with({"quant.w_bits=8", "quant.ratio=0.5", "quant.sym=true", "quant.list=[1, 2]",
                           "quant.map={x: 1}", "quant.text=\"8\"", "quant.word=channel"});
  const auto q = cfg.section("quant");
  CHECK(q.get_int("w_bits") == 8);
  CHECK(q.get_double("ratio") == 0.5);
  CHECK(q.get_bool("sym") == true);
  CHECK(q.get_int_list("list") == std::vector<int64_t>{1, 2});
  CHECK(q.section("map").get_int("x") == 1);
  CHECK(q.get_string("text") == "8");
  CHECK_THROWS_WITH(q.get_int("text"), Catch::Contains("expected an integer, got \"8\""));
  CHECK(q.get_string("word") == "channel");
  CHECK(cfg.overrides().size() == 7);
}

TEST_CASE("config: overrides create missing mappings and fill empty ones", "[config]") {
  const Config cfg = with({"a.b.c=1", "empty.k=2"});
  CHECK(cfg.root()["a"]["b"]["c"].as<int>() == 1);
  CHECK(cfg.root()["empty"]["k"].as<int>() == 2);
  CHECK(cfg.root()["quant"]["w_bits"].as<int>() == 4);
}

TEST_CASE("config: an override replaces a mapping instead of merging into it", "[config]") {
  const Config cfg = with({"quant={a_bits: 8}"});
  CHECK(cfg.root()["quant"].size() == 1);
  CHECK(cfg.root()["quant"]["a_bits"].as<int>() == 8);
}

TEST_CASE("config: a later override wins over an earlier one", "[config]") {
  CHECK(with({"quant.w_bits=8", "quant.w_bits=2"}).root()["quant"]["w_bits"].as<int>() == 2);
}

TEST_CASE("config: setting a key below a scalar names the key", "[config]") {
  CHECK_THROWS_WITH(with({"quant.w_bits.x=1"}),
                    Catch::Contains("bad override 'quant.w_bits.x=1': 'quant.w_bits' is 4 (x.yaml:2:11), not a "
                                    "mapping, so 'quant.w_bits.x' cannot be set below it"));
}

TEST_CASE("config: malformed overrides show the expected form", "[config]") {
  CHECK_THROWS_WITH(with({"quant.w_bits"}),
                    Catch::Contains("bad override 'quant.w_bits': no '=' found; expected the form key.path=value"));
  CHECK_THROWS_WITH(with({"=4"}), Catch::Contains("bad override '=4': empty key; expected the form key.path=value"));
  CHECK_THROWS_WITH(with({"quant..w_bits=4"}),
                    Catch::Contains("malformed key 'quant..w_bits'; expected the form key.path=value"));
  CHECK_THROWS_WITH(with({"quant.w_bits="}), Catch::Contains("empty value; write quant.w_bits='' for an empty string"));
  CHECK_THROWS_WITH(with({"quant.w_bits=[1, 2"}), Catch::Contains("bad override 'quant.w_bits=[1, 2': invalid YAML value"));
  CHECK_THROWS_WITH(with({"_base_=x.yaml"}), Catch::Contains("can only be used in config files"));
  CHECK_THROWS_WITH(with({"quant={a: 1, a: 2}"}),
                    Catch::Contains("bad override 'quant={a: 1, a: 2}': value:1:8: duplicate key 'a'"));
}

TEST_CASE("config: an empty string can be set with quotes", "[config]") {
  CHECK(with({"method.name=''"}).section("method").get_string("name").empty());
}
