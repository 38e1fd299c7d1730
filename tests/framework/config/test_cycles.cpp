// Inheritance cycles are reported with the chain of files.
#include <catch2/catch.hpp>

#include "framework/config/config.h"
#include "tests/support/temp_dir.h"

using ptq::config::Config;
using ptq::test::TempDir;

TEST_CASE("config: a cycle through several files names the whole chain", "[config]") {
  TempDir dir;
  dir.write("a.yaml", "_base_: b.yaml\n");
  dir.write("b.yaml", "_base_: sub/c.yaml\n");
  dir.write("sub/c.yaml", "_base_: ../a.yaml\n");
  const std::string a = dir.file("a.yaml");
  CHECK_THROWS_WITH(Config::load(a), Catch::Contains("config inheritance cycle: " + a + " -> " + dir.file("b.yaml") +
                                                     " -> " + dir.file("sub/c.yaml") + " -> " + a));
}

TEST_CASE("config: a file that names itself as its base is a cycle", "[config]") {
  TempDir dir;
  const auto a = dir.write("a.yaml", "_base_: ./a.yaml\nx: 1\n");
  CHECK_THROWS_WITH(Config::load(a), Catch::Contains("config inheritance cycle") && Catch::Contains(" -> "));
}

TEST_CASE("config: a diamond (two bases sharing a base) is not a cycle", "[config]") {
  TempDir dir;
  dir.write("root.yaml", "x: 1\n");
  dir.write("l.yaml", "_base_: root.yaml\nl: 1\n");
  dir.write("r.yaml", "_base_: root.yaml\nr: 1\n");
  const Config cfg = Config::load(dir.write("top.yaml", "_base_: [l.yaml, r.yaml]\n"));
  CHECK(cfg.root()["x"].as<int>() == 1);
  CHECK(cfg.root()["l"].as<int>() == 1);
  CHECK(cfg.root()["r"].as<int>() == 1);
}
