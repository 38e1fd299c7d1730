// Section getters: strict conversions, defaults, ranges, choices, lists and their errors.
#include <catch2/catch.hpp>

#include "framework/config/config.h"
#include "framework/core/check.h"

using ptq::config::Config;
using ptq::config::DoubleRange;
using ptq::config::IntRange;
using ptq::config::Section;

namespace {
const char* kYaml =
    "quant:\n"                       // 1
    "  w_bits: 1\n"                  // 2
    "  granularity: chanel\n"        // 3
    "  ratio: 1.5e-1\n"              // 4
    "  sym: yes\n"                   // 5
    "method:\n"                      // 6
    "  iters: 20k\n"                 // 7
    "  half: 1.5\n"                  // 8
    "  whole: 3\n"                   // 9
    "  big: 2.5e3\n"                 // 10
    "  flag: false\n"                // 11
    "  name: adaround\n"             // 12
    "  bits: [2, 4, x]\n"            // 13
    "  scales: [1, 0.5, 1e-3]\n"     // 14
    "  names: [a, b]\n"              // 15
    "  nested: {k: 1}\n"             // 16
    "  nothing:\n";                  // 17
Config cfg() { return Config::from_string(kYaml, "configs/x.yaml"); }
}  // namespace

TEST_CASE("config: integers are strict", "[config]") {
  const Section m = cfg().section("method");
  CHECK(m.get_int("whole") == 3);
  CHECK_THROWS_WITH(m.get_int("iters"), Catch::Contains("method.iters: expected an integer, got \"20k\" (configs/x.yaml:7:10)"));
  CHECK_THROWS_WITH(m.get_int("half"), Catch::Contains("method.half: expected an integer, got 1.5 (configs/x.yaml:8:9)"));
  CHECK_THROWS_WITH(m.get_int("big", 0), Catch::Contains("method.big: expected an integer, got 2.5e3"));
  CHECK_THROWS_WITH(m.get_int("nested"), Catch::Contains("method.nested: expected an integer, got a mapping"));
  CHECK_THROWS_WITH(m.get_int("nothing"), Catch::Contains("method.nothing: expected an integer, got null"));
}

TEST_CASE("config: doubles accept integers and scientific notation", "[config]") {
  const Config c = cfg();
  CHECK(c.section("method").get_double("whole") == 3.0);
  CHECK(c.section("method").get_double("big") == 2500.0);
  CHECK(c.section("quant").get_double("ratio") == Approx(0.15));
  CHECK_THROWS_WITH(c.section("method").get_double("iters"),
                    Catch::Contains("method.iters: expected a number, got \"20k\""));
}

TEST_CASE("config: booleans are true or false only", "[config]") {
  const Config c = cfg();
  CHECK(c.section("method").get_bool("flag") == false);
  CHECK_THROWS_WITH(c.section("quant").get_bool("sym"),
                    Catch::Contains("quant.sym: expected true or false, got \"yes\" (configs/x.yaml:5:8)"));
  CHECK_THROWS_WITH(c.section("method").get_bool("whole"), Catch::Contains("expected true or false, got 3"));
}

TEST_CASE("config: strings accept any scalar, not lists", "[config]") {
  const Section m = cfg().section("method");
  CHECK(m.get_string("name") == "adaround");
  CHECK(m.get_string("whole") == "3");
  CHECK_THROWS_WITH(m.get_string("names"), Catch::Contains("method.names: expected a string, got a list"));
}

TEST_CASE("config: defaults are used for absent keys only", "[config]") {
  const Section m = cfg().section("method");
  CHECK(m.get_int("absent", 7) == 7);
  CHECK(m.get_double("absent", 0.25) == 0.25);
  CHECK(m.get_bool("absent", true));
  CHECK(m.get_string("absent", "dflt") == "dflt");
  CHECK(m.get_int_list("absent", {1, 2}) == std::vector<int64_t>{1, 2});
  CHECK(m.get_int("whole", 7) == 3);
  CHECK_FALSE(m.has("absent"));
  CHECK(m.has("whole"));
}

TEST_CASE("config: ranges are checked and described", "[config]") {
  const Config c = cfg();
  CHECK_THROWS_WITH(c.section("quant").get_int("w_bits", 4, IntRange{2, 16}),
                    Catch::Contains("quant.w_bits: expected an integer in [2, 16], got 1 (configs/x.yaml:2:11)"));
  CHECK(c.section("method").get_int("whole", IntRange::at_least(1)) == 3);
  CHECK_THROWS_WITH(c.section("method").get_int("whole", IntRange::at_least(4)),
                    Catch::Contains("expected an integer >= 4, got 3"));
  CHECK(c.section("quant").get_double("ratio", 0.5, DoubleRange{0.0, 1.0}) == Approx(0.15));
  CHECK_THROWS_WITH(c.section("method").get_double("half", DoubleRange{0.0, 1.0}),
                    Catch::Contains("method.half: expected a number in [0, 1], got 1.5"));
  // A default outside its own range is a bug in the reading code, not a user error.
  CHECK_THROWS_AS(c.section("method").get_double("absent", 0.0, DoubleRange::greater_than(0.0)), ptq::InternalError);
  CHECK_THROWS_AS(c.section("method").get_choice("absent", "x", {"a", "b"}), ptq::InternalError);
  CHECK_THROWS_WITH(Config::from_string("lr: 0\n", "x.yaml").section("").get_double("lr", DoubleRange::greater_than(0)),
                    Catch::Contains("lr: expected a number > 0, got 0"));
}

TEST_CASE("config: choices suggest the closest option", "[config]") {
  const Config c = cfg();
  CHECK_THROWS_WITH(c.section("quant").get_choice("granularity", "tensor", {"tensor", "channel", "group"}),
                    Catch::Contains("quant.granularity: expected one of tensor, channel, group, got \"chanel\" "
                                    "(configs/x.yaml:3:16) (did you mean 'channel'?)"));
  CHECK(c.section("method").get_choice("name", {"rtn", "adaround"}) == "adaround");
  CHECK(c.section("method").get_choice("absent", "rtn", {"rtn", "adaround"}) == "rtn");
}

TEST_CASE("config: lists are typed element by element", "[config]") {
  const Section m = cfg().section("method");
  CHECK(m.get_double_list("scales") == std::vector<double>{1.0, 0.5, 1e-3});
  CHECK(m.get_string_list("names") == std::vector<std::string>{"a", "b"});
}

TEST_CASE("config: bad list elements name their index", "[config]") {
  const Section m = cfg().section("method");
  CHECK_THROWS_WITH(m.get_int_list("bits"),
                    Catch::Contains("method.bits[2]: expected an integer, got \"x\" (configs/x.yaml:13:9)"));
  CHECK_THROWS_WITH(m.get_int_list("whole"), Catch::Contains("method.whole: expected a list of integers, got 3"));
  CHECK_THROWS_WITH(m.get_double_list("names"), Catch::Contains("method.names[0]: expected a number, got \"a\""));
}

TEST_CASE("config: missing required keys are reported, with a likely typo", "[config]") {
  const Config c = cfg();
  CHECK_THROWS_WITH(c.section("method").get_int("lr"),
                    Catch::Contains("missing required key 'method.lr' in config configs/x.yaml"));
  CHECK_THROWS_WITH(c.section("method").get_string("nmae"),
                    Catch::Contains("missing required key 'method.nmae'") &&
                        Catch::Contains("the config has 'method.name' (configs/x.yaml:12:9), a typo?"));
  CHECK_THROWS_WITH(c.section("absent").get_bool("x"), Catch::Contains("missing required key 'absent.x'"));
}

TEST_CASE("config: sections: missing reads as defaults, non-mapping is a type error", "[config]") {
  const Config c = cfg();
  const Section s = c.section("no.such.section");
  CHECK_FALSE(s.exists());
  CHECK(s.path() == "no.such.section");
  CHECK(s.get_int("x", 5) == 5);
  CHECK(c.section("method.nothing").get_int("x", 6) == 6);
  CHECK(c.section("method").section("nested").get_int("k") == 1);
  CHECK_THROWS_WITH(c.section("method.iters"),
                    Catch::Contains("method.iters: expected a mapping, got \"20k\" (configs/x.yaml:7:10)"));
}

TEST_CASE("config: sections stay valid after their Config is gone", "[config]") {
  Section s = Config::from_string("a: {b: 2}\n", "x.yaml").section("a");
  CHECK(s.get_int("b") == 2);
  s = Config::from_string("c: {d: 3}\n", "y.yaml").section("c");
  CHECK(s.get_int("d") == 3);
}

TEST_CASE("config: quoted numbers are strings", "[config]") {
  const Config c = Config::from_string("n: \"8\"\nb: 'true'\n", "x.yaml");
  CHECK_THROWS_WITH(c.section("").get_int("n"), Catch::Contains("n: expected an integer, got \"8\""));
  CHECK_THROWS_WITH(c.section("").get_bool("b"), Catch::Contains("b: expected true or false, got \"true\""));
  CHECK(c.section("").get_string("b") == "true");
}
