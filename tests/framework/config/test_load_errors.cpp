// File-level errors: unreadable files, bad YAML, wrong top level, versions, duplicate keys.
#include <catch2/catch.hpp>

#include "framework/config/config.h"
#include "tests/support/temp_dir.h"

using ptq::config::Config;
using ptq::test::TempDir;

TEST_CASE("config: a missing config file names the path and gives a hint", "[config]") {
  CHECK_THROWS_WITH(Config::load("/nonexistent/dir/x.yaml"),
                    Catch::Contains("config file '/nonexistent/dir/x.yaml' not found") &&
                        Catch::Contains("relative paths are resolved from the working directory"));
}

TEST_CASE("config: a directory is not a config file", "[config]") {
  TempDir dir;
  CHECK_THROWS_WITH(Config::load(dir.path().string()), Catch::Contains("is a directory"));
}

TEST_CASE("config: invalid YAML reports file, line and column", "[config]") {
  TempDir dir;
  const auto path = dir.write("x.yaml", "quant:\n  w_bits: 4\n  a_bits: [8, 4\nmethod: rtn\n");
  CHECK_THROWS_WITH(Config::load(path), Catch::Contains(path + ":4:") && Catch::Contains(": invalid YAML: "));
  const auto other = dir.write("y.yaml", "a: 1\nb: c: d\n");
  CHECK_THROWS_WITH(Config::load(other), Catch::Contains(other + ":2:5: invalid YAML: "));
}

TEST_CASE("config: bad YAML in from_string uses the source name", "[config]") {
  CHECK_THROWS_WITH(Config::from_string("a: 1\n  b: 2\n", "configs/x.yaml"),
                    Catch::Contains("configs/x.yaml:2:4: invalid YAML: "));
}

TEST_CASE("config: the top level must be a mapping", "[config]") {
  CHECK_THROWS_WITH(Config::from_string("- 1\n- 2\n", "x.yaml"),
                    Catch::Contains("x.yaml:1:1: the top level of a config must be a mapping of options, got a list"));
  CHECK_THROWS_WITH(Config::from_string("just text\n", "x.yaml"),
                    Catch::Contains("must be a mapping of options, got \"just text\""));
  CHECK_THROWS_WITH(Config::from_string("# nothing\n", "x.yaml"), Catch::Contains("x.yaml: the config is empty"));
}

TEST_CASE("config: several YAML documents in one file are rejected", "[config]") {
  CHECK_THROWS_WITH(Config::from_string("a: 1\n---\nb: 2\n", "x.yaml"),
                    Catch::Contains("x.yaml: holds 2 YAML documents, expected one"));
}

TEST_CASE("config: a stray top-level comma is an error, not a hang (fuzz finding)", "[config]") {
  // yaml-cpp 0.7's LoadAll loops forever on these; the loader counts documents with a limit.
  for (const char* text : {",", ", a: 0}\n", ", act_bits: 0}\nmethod: {name: rtn}\ncalibration: {num_samples:"})
    CHECK_THROWS_WITH(Config::from_string(text, "x.yaml"),
                      Catch::Contains("x.yaml:1:1: invalid YAML: the parser cannot get past this point"));
}

TEST_CASE("config: duplicate keys are rejected with both positions", "[config]") {
  CHECK_THROWS_WITH(Config::from_string("m:\n  iters: 1\n  iters: 2\n", "x.yaml"),
                    Catch::Contains("x.yaml:3:3: duplicate key 'm.iters' (first written at x.yaml:2:3)"));
}

TEST_CASE("config: version defaults to 1, stays in the tree, and only 1 is supported", "[config]") {
  const Config plain = Config::from_string("a: 1\n", "x.yaml");
  CHECK(plain.version() == 1);
  const Config v1 = Config::from_string("version: 1\na: 1\n", "x.yaml");
  CHECK(v1.root()["version"].as<int>() == 1);
  CHECK_THROWS_WITH(Config::from_string("version: 2\n", "x.yaml"),
                    Catch::Contains("x.yaml:1:10: config version 2 is not supported") &&
                        Catch::Contains("supported config versions: 1"));
  CHECK_THROWS_WITH(Config::from_string("version: one\n", "x.yaml"),
                    Catch::Contains("supported config versions: 1"));
  CHECK_THROWS_WITH(Config::from_string("a: 1\n", "x.yaml", {"version=3"}),
                    Catch::Contains("--set version=3: config version 3 is not supported"));
}

TEST_CASE("config: a bad version in a base file is reported at the base", "[config]") {
  TempDir dir;
  dir.write("base.yaml", "version: 7\n");
  CHECK_THROWS_WITH(Config::load(dir.write("x.yaml", "_base_: base.yaml\nversion: 1\n")),
                    Catch::Contains(dir.file("base.yaml") + ":1:10") && Catch::Contains("supported config versions: 1"));
}

TEST_CASE("config: _delete_ must be true or false", "[config]") {
  CHECK_THROWS_WITH(Config::from_string("m:\n  _delete_: yes\n", "x.yaml"),
                    Catch::Contains("x.yaml:2:13: 'm._delete_' must be true or false"));
}
