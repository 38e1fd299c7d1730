#include <catch2/catch.hpp>

#include "framework/config/config.h"
#include "framework/experiment/experiment_spec.h"

using namespace ptq;

namespace {
ExperimentSpec spec_of(const std::string& yaml, const std::vector<std::string>& overrides = {}) {
  return spec_from_config(config::Config::from_string(yaml, "exp.yaml", overrides));
}
}  // namespace

TEST_CASE("experiment: defaults give a Fashion-MNIST ResNet-8 with RTN W4A4", "[experiment]") {
  const auto s = spec_of("version: 1\n");
  CHECK(s.model.arch == "resnet8");
  CHECK(s.data.dataset == "fashion_mnist");
  CHECK(s.method_name == "rtn");
  CHECK(s.quant.weight.spec.to_string() == "uint4/ch");
  CHECK(s.quant.act.spec.to_string() == "uint4/tensor");
  CHECK(s.calibration.num_samples == 1024);
  CHECK(s.seed == 1005);
}

TEST_CASE("experiment: misspelt keys are rejected with a suggestion and the location", "[experiment]") {
  REQUIRE_THROWS_WITH(spec_of("quant:\n  weight:\n    bitz: 4\n"),
                      Catch::Contains("unknown key 'quant.weight.bitz' (exp.yaml:3:5)") &&
                          Catch::Contains("did you mean 'quant.weight.bits'"));
  REQUIRE_THROWS_WITH(spec_of("modle:\n  arch: resnet8\n"), Catch::Contains("unknown key 'modle'") &&
                                                               Catch::Contains("did you mean 'model'"));
}

TEST_CASE("experiment: out-of-range and mistyped values name the key, file and expectation", "[experiment]") {
  REQUIRE_THROWS_WITH(spec_of("quant:\n  act:\n    bits: 1\n"),
                      Catch::Contains("quant.act.bits: expected an integer in [2, 16], got 1 (exp.yaml:3:11)"));
  REQUIRE_THROWS_WITH(spec_of("calibration:\n  num_samples: lots\n"),
                      Catch::Contains("calibration.num_samples: expected an integer") && Catch::Contains("\"lots\""));
  REQUIRE_THROWS_WITH(spec_of("model:\n  arch: resnet9\n"),
                      Catch::Contains("model.arch: expected one of") && Catch::Contains("did you mean 'resnet8'"));
}

TEST_CASE("experiment: unknown methods list the known ones", "[experiment]") {
  REQUIRE_THROWS_WITH(spec_of("method:\n  name: rnt\n"),
                      Catch::Contains("unknown method 'rnt'") && Catch::Contains("did you mean 'rtn'") &&
                          Catch::Contains("known: adaround, brecq, cbq, fp, gptq, meta_aug, pd_quant, qdrop, rtn"));
}

TEST_CASE("experiment: --set overrides reach the spec", "[experiment]") {
  const auto s = spec_of("version: 1\n", {"quant.weight.bits=2", "quant.act.format=e4m3", "seed=7"});
  CHECK(s.quant.weight.spec.bits == 2);
  CHECK(s.quant.act.spec.to_string() == "e4m3/tensor");
  CHECK(s.seed == 7);
}

TEST_CASE("experiment: variants are validated before any work", "[experiment]") {
  REQUIRE_THROWS_WITH(spec_of("variants:\n  - {name: a, set: {quant.weight.bits: 99}}\n"),
                      Catch::Contains("variant 'a'") && Catch::Contains("quant.weight.bits: expected an integer in [2, 16], got 99"));
  REQUIRE_THROWS_WITH(spec_of("variants:\n  - {name: a, sett: {}}\n"), Catch::Contains("unknown key 'sett'"));
  REQUIRE_THROWS_WITH(spec_of("variants:\n  - {name: a}\n  - {name: a}\n"), Catch::Contains("'a' is used twice"));
  const auto s = spec_of("variants:\n  - {name: W8A8, set: {quant.weight.bits: 8, quant.act.bits: 8}}\n");
  REQUIRE(s.variants.size() == 1);
  CHECK(s.variants[0].overrides == std::vector<std::string>{"quant.weight.bits=8", "quant.act.bits=8"});
}

TEST_CASE("experiment: the data set must match the model's input shape", "[experiment]") {
  // Checked when data is loaded (not at parse time); here only the parse must succeed.
  CHECK_NOTHROW(spec_of("model:\n  in_channels: 3\n"));
}

TEST_CASE("experiment: a variant key that is not a plain name is a user error (fuzz finding)", "[experiment]") {
  // YAML's "{name: W2A4,!set: {…}}" makes a mapping the key; reading it used to escape as an
  // internal yaml-cpp conversion error.
  REQUIRE_THROWS_WITH(spec_of("variants:\n  - {name: W2A4,!set: {quant.weight.bits: 2}}\n"),
                      Catch::Contains("variants[0]: keys must be plain names, got a mapping"));
  REQUIRE_THROWS_WITH(spec_of("variants:\n  - {name: W2, set: {[a]: 2}}\n"),
                      Catch::Contains("variants[0].set: keys must be plain names, got a list"));
}
