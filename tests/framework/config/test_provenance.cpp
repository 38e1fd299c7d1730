// source_of(): where each winning value was written.
#include <catch2/catch.hpp>

#include "framework/config/config.h"
#include "tests/support/temp_dir.h"

using ptq::config::Config;
using ptq::test::TempDir;

TEST_CASE("config: provenance follows the value that won the merge", "[config]") {
  TempDir dir;
  const auto base = dir.write("base.yaml", "quant:\n  w_bits: 8\n  a_bits: 8\nlist: [1, 2]\n");
  const auto child = dir.write("child.yaml", "_base_: base.yaml\nquant:\n  a_bits: 4\n");
  const Config cfg = Config::load(child, {"method.iters=20", "quant.w_bits=6"});
  CHECK(cfg.source_of("quant.a_bits") == child + ":3:11");
  CHECK(cfg.source_of("list") == base + ":4:7");
  CHECK(cfg.source_of("quant.w_bits") == "--set quant.w_bits=6");
  CHECK(cfg.source_of("method.iters") == "--set method.iters=20");
  CHECK(cfg.source_of("method") == "--set method.iters=20");
  // Inside a list, the list's key answers.
  CHECK(cfg.source_of("list.1") == base + ":4:7");
  CHECK(cfg.source_of("quant.nope").empty());
  CHECK(cfg.section("quant").source_of("a_bits") == child + ":3:11");
}

TEST_CASE("config: provenance of a base value that the child did not touch", "[config]") {
  TempDir dir;
  const auto base = dir.write("configs/base.yaml", "method:\n  name: rtn\n  iters: 5\n");
  const auto child = dir.write("configs/child.yaml", "_base_: base.yaml\nmethod:\n  iters: 7\n");
  const Config cfg = Config::load(child);
  CHECK(cfg.source_of("method.name") == base + ":2:9");
  CHECK(cfg.source_of("method.iters") == child + ":3:10");
}

TEST_CASE("config: _delete_ drops the provenance of the replaced mapping", "[config]") {
  TempDir dir;
  dir.write("base.yaml", "m:\n  a: 1\n  b: 2\n");
  const auto child = dir.write("child.yaml", "_base_: base.yaml\nm:\n  _delete_: true\n  a: 3\n");
  const Config cfg = Config::load(child);
  CHECK(cfg.source_of("m.a") == child + ":4:6");
  CHECK(cfg.source_of("m.b").empty());
}

TEST_CASE("config: from_string resolves bases from the source name's directory", "[config]") {
  TempDir dir;
  dir.write("configs/base.yaml", "x: 1\n");
  const Config cfg = Config::from_string("_base_: base.yaml\n", dir.file("configs/inline.yaml"));
  CHECK(cfg.source_of("x") == dir.file("configs/base.yaml") + ":1:4");
  CHECK(cfg.name() == "inline");
}

TEST_CASE("config: relative paths are shown as the user spelled them", "[config]") {
  CHECK_THROWS_WITH(Config::from_string("_base_: ../shared/missing.yaml\n", "configs/exp/x.yaml"),
                    Catch::Contains("configs/exp/x.yaml:1:9: base config '../shared/missing.yaml' of "
                                    "configs/exp/x.yaml not found (looked for configs/shared/missing.yaml)"));
}
