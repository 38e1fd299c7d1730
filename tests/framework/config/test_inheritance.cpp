// _base_ inheritance: levels, lists of bases, relative paths, deep merge and _delete_.
#include <catch2/catch.hpp>

#include "framework/config/config.h"
#include "tests/support/temp_dir.h"

using ptq::config::Config;
using ptq::test::TempDir;

TEST_CASE("config: a child deep-merges over a two-level chain of bases", "[config]") {
  TempDir dir;
  dir.write("grand.yaml", "quant:\n  w_bits: 8\n  a_bits: 8\nmethod:\n  name: rtn\n  iters: 10\n");
  dir.write("parent.yaml", "_base_: grand.yaml\nquant:\n  a_bits: 6\n");
  const auto path = dir.write("child.yaml", "_base_: parent.yaml\nmethod:\n  iters: 20\n");
  const Config cfg = Config::load(path);
  const auto& r = cfg.root();
  CHECK(r["quant"]["w_bits"].as<int>() == 8);
  CHECK(r["quant"]["a_bits"].as<int>() == 6);
  CHECK(r["method"]["name"].as<std::string>() == "rtn");
  CHECK(r["method"]["iters"].as<int>() == 20);
  CHECK_FALSE(r["_base_"].IsDefined());
  CHECK(cfg.name() == "child");
  CHECK(cfg.path() == path);
}

TEST_CASE("config: a list of bases merges in order, later bases winning", "[config]") {
  TempDir dir;
  dir.write("a.yaml", "x: 1\ny: 1\nseq: [1, 2, 3]\n");
  dir.write("b.yaml", "y: 2\nz: 2\nseq: [9]\n");
  const Config cfg = Config::load(dir.write("c.yaml", "_base_: [a.yaml, b.yaml]\nz: 3\n"));
  CHECK(cfg.root()["x"].as<int>() == 1);
  CHECK(cfg.root()["y"].as<int>() == 2);
  CHECK(cfg.root()["z"].as<int>() == 3);
  // Sequences replace, they do not concatenate.
  REQUIRE(cfg.root()["seq"].size() == 1);
  CHECK(cfg.root()["seq"][0].as<int>() == 9);
}

TEST_CASE("config: base paths are relative to the file that names them", "[config]") {
  TempDir dir;
  dir.write("common/base.yaml", "_base_: ../defaults/quant.yaml\nmodel: resnet18\n");
  dir.write("defaults/quant.yaml", "quant: {w_bits: 4}\n");
  const Config cfg = Config::load(dir.write("exp/sub/run.yaml", "_base_: ../../common/base.yaml\nseed: 3\n"));
  CHECK(cfg.root()["model"].as<std::string>() == "resnet18");
  CHECK(cfg.root()["quant"]["w_bits"].as<int>() == 4);
  CHECK(cfg.root()["seed"].as<int>() == 3);
}

TEST_CASE("config: _delete_: true replaces the inherited mapping", "[config]") {
  TempDir dir;
  dir.write("base.yaml", "method:\n  name: adaround\n  iters: 100\n  lr: 0.01\nquant: {w_bits: 4}\n");
  const Config cfg = Config::load(dir.write("child.yaml",
                                            "_base_: base.yaml\n"
                                            "method:\n  _delete_: true\n  name: rtn\n"
                                            "quant:\n  _delete_: false\n  a_bits: 8\n"));
  const auto& m = cfg.root()["method"];
  CHECK(m.size() == 1);
  CHECK(m["name"].as<std::string>() == "rtn");
  CHECK_FALSE(m["_delete_"].IsDefined());
  // _delete_: false merges as usual and is removed too.
  CHECK(cfg.root()["quant"].size() == 2);
  CHECK_FALSE(cfg.root()["quant"]["_delete_"].IsDefined());
}

TEST_CASE("config: a scalar in the child replaces an inherited mapping and vice versa", "[config]") {
  TempDir dir;
  dir.write("base.yaml", "a: {x: 1}\nb: 5\n");
  const Config cfg = Config::load(dir.write("child.yaml", "_base_: base.yaml\na: 3\nb: {y: 2}\n"));
  CHECK(cfg.root()["a"].as<int>() == 3);
  CHECK(cfg.root()["b"]["y"].as<int>() == 2);
}

TEST_CASE("config: a missing base names the referring file and the resolved path", "[config]") {
  TempDir dir;
  const auto path = dir.write("sub/child.yaml", "seed: 1\n_base_: [../nope.yaml]\n");
  CHECK_THROWS_WITH(Config::load(path), Catch::Contains("base config '../nope.yaml'") &&
                                            Catch::Contains("sub/child.yaml:2:10") &&
                                            Catch::Contains("looked for " + dir.file("nope.yaml")));
}

TEST_CASE("config: a _base_ that is not a path is rejected", "[config]") {
  TempDir dir;
  CHECK_THROWS_WITH(Config::load(dir.write("x.yaml", "_base_: {a: 1}\n")),
                    Catch::Contains("_base_ must be a path or a list of paths, got a mapping"));
}

TEST_CASE("config: values shared through YAML anchors are replaced independently", "[config]") {
  TempDir dir;
  dir.write("base.yaml", "a: &v 1\nb: *v\nm1: &m {x: 1}\nm2: *m\n");
  const Config cfg = Config::load(dir.write("child.yaml", "_base_: base.yaml\nb: 2\nm2: {x: 3}\n"), {"m1.x=5"});
  CHECK(cfg.root()["a"].as<int>() == 1);
  CHECK(cfg.root()["b"].as<int>() == 2);
  CHECK(cfg.root()["m1"]["x"].as<int>() == 5);
  CHECK(cfg.root()["m2"]["x"].as<int>() == 3);
}
