// check_all_used(): keys nobody read are reported, with suggestions from the known keys.
#include <catch2/catch.hpp>

#include "framework/config/config.h"

using ptq::config::Config;

namespace {
const char* kYaml =
    "version: 1\n"
    "quant:\n"
    "  w_bits: 4\n"
    "method:\n"
    "  name: adaround\n"
    "  iters: 10\n"
    "    \n"
    "  observr: minmax\n"
    "model:\n"
    "  arch: resnet18\n"
    "  extra: {anything: [1, 2]}\n";

void read_all_but_typos(const Config& c) {
  c.section("quant").get_int("w_bits", 8);
  const auto m = c.section("method");
  m.get_string("name");
  m.get_int("iters", 100);
  m.get_string("observer", "minmax");  // absent: known, but the config spelled it wrong
  c.section("model").allow_any();
}
}  // namespace

TEST_CASE("config: a fully read config passes", "[config]") {
  const Config c = Config::from_string(kYaml, "configs/x.yaml", {"method.observr=mse"});
  read_all_but_typos(c);
  c.section("method").get_string("observr");
  CHECK_NOTHROW(c.check_all_used());
  CHECK(c.unknown_keys().empty());
}

TEST_CASE("config: an unread key is reported with its location and a suggestion", "[config]") {
  const Config c = Config::from_string(kYaml, "configs/x.yaml");
  read_all_but_typos(c);
  CHECK_THROWS_WITH(c.check_all_used(), Catch::Equals("unknown key 'method.observr' (configs/x.yaml:8:3); did you "
                                                      "mean 'method.observer'?"));
}

TEST_CASE("config: all unknown keys are reported, one per line", "[config]") {
  const Config c = Config::from_string(kYaml, "configs/x.yaml", {"quant.a_bitz=8", "methd.x=1"});
  read_all_but_typos(c);
  c.section("quant").get_int("a_bits", 8);
  c.section("method").get_int("seed", 0);  // a known key with nothing close to 'observr'
  const auto lines = c.unknown_keys();
  REQUIRE(lines.size() == 3);
  CHECK(lines[0] == "unknown key 'quant.a_bitz' (--set quant.a_bitz=8); did you mean 'quant.a_bits'?");
  CHECK(lines[1] == "unknown key 'method.observr' (configs/x.yaml:8:3); did you mean 'method.observer'?");
  CHECK(lines[2] == "unknown key 'methd' (--set methd.x=1); did you mean 'method'?");
  CHECK_THROWS_WITH(c.check_all_used(), Catch::Contains(lines[0] + "\n" + lines[1] + "\n" + lines[2]));
}

TEST_CASE("config: an unread section is reported once, not key by key", "[config]") {
  const Config c = Config::from_string("quant:\n  w_bits: 4\nextra:\n  a: 1\n  b: 2\n", "x.yaml");
  c.section("quant").get_int("w_bits");
  const auto lines = c.unknown_keys();
  REQUIRE(lines.size() == 1);
  CHECK(lines[0] == "unknown key 'extra' (x.yaml:3:1)");
}

TEST_CASE("config: has() alone does not consume a key; get_node does, with everything below", "[config]") {
  const Config c = Config::from_string("alpha: 1\nlayers: {c: [1, 2], d: {e: 3}}\n", "x.yaml");
  CHECK(c.section("").has("alpha"));
  CHECK(c.section("").get_node("layers")["d"]["e"].as<int>() == 3);
  CHECK(c.section("").get_node("absent").IsNull());
  const auto lines = c.unknown_keys();
  REQUIRE(lines.size() == 1);
  CHECK(lines[0] == "unknown key 'alpha' (x.yaml:1:1)");
}

TEST_CASE("config: version is always known and the whole config can be free-form", "[config]") {
  const Config c = Config::from_string("version: 1\nanything: {goes: here}\n", "x.yaml");
  CHECK(c.unknown_keys().size() == 1);
  c.section("").allow_any();
  CHECK_NOTHROW(c.check_all_used());
}

TEST_CASE("config: copies share the record, with_overrides starts a fresh one", "[config]") {
  const Config c = Config::from_string("a: 1\n", "x.yaml");
  const Config copy = c;
  copy.section("").get_int("a");
  CHECK(c.unknown_keys().empty());
  CHECK(c.with_overrides({"a=2"}).unknown_keys().size() == 1);
}
