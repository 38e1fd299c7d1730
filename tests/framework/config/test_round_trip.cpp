// to_yaml() reloads to the same tree; with_overrides() builds variants without touching the original.
#include <catch2/catch.hpp>

#include "framework/config/config.h"
#include "tests/support/temp_dir.h"

using ptq::config::Config;
using ptq::test::TempDir;

namespace {
// Same structure, same scalars, same quoting (quoted "8" is a string, plain 8 is a number).
bool same_tree(const YAML::Node& a, const YAML::Node& b) {
  if (a.Type() != b.Type()) return false;
  switch (a.Type()) {
    case YAML::NodeType::Scalar:
      return a.Scalar() == b.Scalar() && (a.Tag() == "!") == (b.Tag() == "!");
    case YAML::NodeType::Sequence:
      if (a.size() != b.size()) return false;
      for (size_t i = 0; i < a.size(); ++i)
        if (!same_tree(a[i], b[i])) return false;
      return true;
    case YAML::NodeType::Map: {
      if (a.size() != b.size()) return false;
      auto ia = a.begin();
      auto ib = b.begin();
      for (; ia != a.end(); ++ia, ++ib)
        if (ia->first.Scalar() != ib->first.Scalar() || !same_tree(ia->second, ib->second)) return false;
      return true;
    }
    default:
      return true;
  }
}
}  // namespace

TEST_CASE("config: to_yaml round-trips the resolved tree", "[config]") {
  TempDir dir;
  dir.write("base.yaml",
            "version: 1\nquant: {w_bits: 4, granularity: channel}\nmethod:\n  name: rtn\n  lrs: [0.1, 1e-3]\n");
  const auto path = dir.write("child.yaml",
                              "_base_: base.yaml\n"
                              "method:\n  tag: \"8\"\n  flag: 'true'\n  text: \"a: b, [c]\"\n  empty: ''\n"
                              "  none: ~\n  multi: |\n    line one\n    line two\n"
                              "  layers: [{name: conv1, bits: 8}, {name: fc, bits: 4}]\n"
                              "  '~': odd key\n  nothing: {}\n  no_list: []\n");
  const Config cfg = Config::load(path, {"quant.sym=true"});
  const std::string text = cfg.to_yaml();
  CHECK(text.find("_base_") == std::string::npos);
  const Config again = Config::from_string(text, "resolved.yaml");
  CHECK(same_tree(cfg.root(), again.root()));
  CHECK(again.to_yaml() == text);
  CHECK(again.section("method").get_string("tag") == "8");
  CHECK(again.section("method").get_string("multi") == "line one\nline two\n");
  CHECK(again.section("method").get_double_list("lrs") == std::vector<double>{0.1, 1e-3});
  CHECK(again.root()["version"].as<int>() == 1);
}

TEST_CASE("config: with_overrides makes an independent variant", "[config]") {
  const Config base = Config::from_string("quant:\n  w_bits: 4\nmethod: {iters: 10}\n", "configs/exp.yaml",
                                          {"method.iters=20"});
  const Config w2 = base.with_overrides({"quant.w_bits=2", "quant.new.key=x"});
  CHECK(w2.root()["quant"]["w_bits"].as<int>() == 2);
  CHECK(w2.root()["quant"]["new"]["key"].as<std::string>() == "x");
  CHECK(w2.root()["method"]["iters"].as<int>() == 20);
  CHECK(w2.source_of("quant.w_bits") == "--set quant.w_bits=2");
  CHECK(w2.source_of("method.iters") == "--set method.iters=20");
  CHECK(w2.overrides() == std::vector<std::string>{"method.iters=20", "quant.w_bits=2", "quant.new.key=x"});
  CHECK(w2.name() == "exp");
  // The original is untouched.
  CHECK(base.root()["quant"]["w_bits"].as<int>() == 4);
  CHECK(base.root()["quant"].size() == 1);
  CHECK(base.source_of("quant.w_bits") == "configs/exp.yaml:2:11");
  CHECK_THROWS_WITH(base.with_overrides({"quant.w_bits.x=1"}), Catch::Contains("'quant.w_bits' is 4"));
}

TEST_CASE("config: a default Config is empty", "[config]") {
  const Config c;
  CHECK(c.root().IsMap());
  CHECK(c.root().size() == 0);
  CHECK(c.section("a").get_int("b", 3) == 3);
  CHECK_NOTHROW(c.check_all_used());
}
