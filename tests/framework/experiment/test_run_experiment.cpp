#include <catch2/catch.hpp>

#include "framework/config/config.h"
#include "framework/experiment/experiment.h"
#include "framework/experiment/experiment_spec.h"
#include "framework/io/atomic_file.h"
#include "tests/support/temp_dir.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>

using namespace ptq;

namespace {
// A small but real run: random ResNet-8 weights, 64 calibration images, 512 test images.
config::Config tiny(const test::TempDir& dir, std::vector<std::string> extra = {}) {
  const std::string yaml =
      "_base_: " PTQ_SOURCE_DIR "/configs/quickstart.yaml\n"
      "threads: 1\n"
      "model: {weights: random}\n"
      "calibration: {num_samples: 64, act_samples: 32}\n"
      "eval: {limit: 512, sqnr_samples: 32}\n"
      "output: {dir: " + dir.path().string() + "}\n";
  const auto path = dir.write("tiny.yaml", yaml);
  return config::Config::load(path, extra);
}
}  // namespace

TEST_CASE("experiment: a run writes a self-describing run directory", "[experiment]") {
  test::TempDir dir;
  const auto r = run_experiment(tiny(dir), {"ptq", "run", "tiny.yaml"});
  namespace fs = std::filesystem;
  for (const char* f : {"config.yaml", "argv.txt", "env.json", "run.log", "metrics.json"})
    CHECK(fs::exists(fs::path(r.run_dir) / f));
  const auto m = nlohmann::json::parse(io::read_file(r.run_dir + "/metrics.json"));
  CHECK(m["config"] == "tiny");
  CHECK(m["fp"]["images"] == 512);
  REQUIRE(m["runs"].size() == 3);
  CHECK(m["runs"][0]["name"] == "RTN W8A8");
  CHECK(m["runs"][0]["weight"] == "uint8/ch");
  CHECK(m["runs"][2]["act"] == "uint4/tensor");
  CHECK(m["runs"][0]["per_unit_sqnr_db"].size() == 5);  // stem, 3 blocks, head
  const auto env = nlohmann::json::parse(io::read_file(r.run_dir + "/env.json"));
  CHECK(env.contains("ptq_commit"));
  CHECK(env["libtorch"].get<std::string>().size() >= 4);
  // The resolved config reloads and names the same model.
  const auto resolved = config::Config::load(r.run_dir + "/config.yaml");
  CHECK(resolved.section("model").get_string("weights") == "random");
  CHECK(results_table(m).find("| RTN W2A4 | rtn | W2A4 | uint2/ch | uint4/tensor |") != std::string::npos);
}

TEST_CASE("experiment: the same config and seed give bit-identical results", "[experiment]") {
  test::TempDir dir;
  const auto a = run_experiment(tiny(dir), {"ptq"}).metrics;
  const auto b = run_experiment(tiny(dir), {"ptq"}).metrics;
  for (size_t i = 0; i < a["runs"].size(); ++i) {
    CHECK(a["runs"][i]["top1"] == b["runs"][i]["top1"]);
    CHECK(a["runs"][i]["loss"].get<double>() == b["runs"][i]["loss"].get<double>());
    CHECK(a["runs"][i]["per_unit_sqnr_db"] == b["runs"][i]["per_unit_sqnr_db"]);
  }
  CHECK(a["fp"]["loss"].get<double>() == b["fp"]["loss"].get<double>());
}

TEST_CASE("experiment: more bits never hurt the quantised model much", "[experiment]") {
  test::TempDir dir;
  const auto m = run_experiment(tiny(dir), {"ptq"}).metrics;
  const auto sq = [&](int i) { return m["runs"][i]["per_unit_sqnr_db"]["head"].get<double>(); };
  CHECK(sq(0) > sq(1));  // W8A8 logits are closer to FP than W4A4
  CHECK(sq(1) > sq(2));  // and W4A4 closer than W2A4
}

TEST_CASE("experiment: variants may not change the model or data", "[experiment]") {
  test::TempDir dir;
  const auto path = dir.write("v.yaml", "_base_: " PTQ_SOURCE_DIR "/configs/quickstart.yaml\n"
                                        "variants:\n  - {name: big, set: {model.arch: resnet20}}\n");
  REQUIRE_THROWS_WITH(run_experiment(config::Config::load(path), {"ptq"}),
                      Catch::Contains("variant 'big' sets 'model.arch'") && Catch::Contains("make a separate config"));
}

TEST_CASE("experiment: a missing weights file fails with its path", "[experiment]") {
  test::TempDir dir;
  REQUIRE_THROWS_WITH(run_experiment(tiny(dir, {"model.weights=/nope/w.safetensors"}), {"ptq"}),
                      Catch::Contains("/nope/w.safetensors"));
}

TEST_CASE("experiment: model.fold_bn false keeps BN as a float layer after each quantised conv", "[experiment]") {
  test::TempDir dir;
  const auto folded = run_experiment(tiny(dir), {"ptq"}).metrics;
  const auto kept = run_experiment(tiny(dir, {"model.fold_bn=false"}), {"ptq"}).metrics;
  // The float network is the same function either way.
  CHECK(kept["fp"]["loss"].get<double>() == Approx(folded["fp"]["loss"].get<double>()).epsilon(1e-5));
  CHECK(kept["fp"]["top1"] == folded["fp"]["top1"]);
  // Quantising W before BN differs from quantising the folded W·γ/σ, but both are close at 8 bits.
  REQUIRE(kept["runs"].size() == 3);
  CHECK(kept["runs"][0]["loss"].get<double>() != folded["runs"][0]["loss"].get<double>());
  CHECK(std::abs(kept["runs"][0]["top1"].get<double>() - kept["fp"]["top1"].get<double>()) < 3.0);
}

TEST_CASE("experiment: the MetaAug Fashion-MNIST config runs end to end (tiny sizes)", "[experiment][meta_aug]") {
  test::TempDir dir;
  const std::string yaml = "_base_: " PTQ_SOURCE_DIR "/configs/meta_aug/fmnist_resnet8.yaml\n"
                           "threads: 1\n"
                           "model: {weights: random}\n"
                           "calibration: {num_samples: 32}\n"
                           "eval: {limit: 256, sqnr_samples: 16}\n"
                           "method: {iters: 4, progress: false, meta: {iters: 2}, transform: {warmup: {iters: 2}}}\n"
                           "variants: [{name: W2A2, set: {quant.weight.bits: 2, quant.act.bits: 2}}]\n"
                           "output: {dir: " + dir.path().string() + "}\n";
  const auto m = run_experiment(config::Config::load(dir.write("meta.yaml", yaml)), {"ptq"}).metrics;
  REQUIRE(m["runs"].size() == 1);
  const auto& run = m["runs"][0];
  CHECK(run["method"] == "meta_aug");
  CHECK(run["label"] == "W2A2");
  CHECK(run["method_details"]["meta_aug"]["groups"].size() == 5);
  CHECK(run["top1"].get<double>() >= 0.0);
}

TEST_CASE("experiment: a language-model run (fortunes, trained tokenizer, RTN and GPTQ) reports perplexity",
          "[experiment][llm]") {
  test::TempDir dir;
  const std::string yaml =
      "_base_: " PTQ_SOURCE_DIR "/configs/llm/fortunes_rtn.yaml\n"
      "threads: 1\n"
      "model: {weights: random, llama: {hidden_size: 32, intermediate_size: 48, num_hidden_layers: 2,\n"
      "        num_attention_heads: 4, num_key_value_heads: 2}}\n"
      "data: {seq_len: 16, vocab_size: 512}\n"
      "calibration: {num_samples: 8, batch_size: 4}\n"
      "eval: {limit: 6, batch_size: 4, sqnr_samples: 2}\n"
      "output: {dir: " + dir.path().string() + "}\n"
      "variants:\n"
      "  - {name: RTN W4A8, set: {quant.act.enabled: true}}\n"
      "  - {name: GPTQ W3A16 g16, set: {quant.weight.bits: 3, quant.weight.granularity: group,\n"
      "                                  quant.weight.group_size: 16, method: {name: gptq}}}\n";
  setenv("PTQ_CACHE_DIR", dir.file("cache").c_str(), 1);
  const auto r = run_experiment(config::Config::load(dir.write("lm.yaml", yaml)), {"ptq", "run", "lm.yaml"});
  unsetenv("PTQ_CACHE_DIR");
  const auto m = nlohmann::json::parse(io::read_file(r.run_dir + "/metrics.json"));
  CHECK(m["finished"] == true);
  CHECK(m["model"]["arch"] == "llama");
  CHECK(m["model"]["config"]["vocab_size"] == 512);
  CHECK(m["fp"]["windows"] == 6);
  CHECK(m["fp"]["ppl"].get<double>() > 1.0);
  CHECK(std::exp(m["fp"]["loss"].get<double>()) == Approx(m["fp"]["ppl"].get<double>()));
  REQUIRE(m["runs"].size() == 2);
  CHECK(m["runs"][0]["act"] == "uint8/token/dyn");
  CHECK(m["runs"][1]["weight"] == "uint3/g16");
  CHECK(m["runs"][1]["method_details"]["layers"].size() == 14u);  // lm_head stays float
  for (const auto& run : m["runs"]) {
    CHECK(run["delta_ppl"].get<double>() == Approx(run["ppl"].get<double>() - m["fp"]["ppl"].get<double>()));
    CHECK(run["per_unit_sqnr_db"].size() == 4u);
  }
  CHECK(results_table(m).find("| perplexity |") != std::string::npos);
  CHECK(std::filesystem::exists(dir.file("cache") + "/tokenizers"));
}

TEST_CASE("experiment: text and model must match; the decoder's keys are checked", "[experiment][llm]") {
  test::TempDir dir;
  auto load = [&](const std::string& extra) {
    return config::Config::load(dir.write("x.yaml", "_base_: " PTQ_SOURCE_DIR "/configs/llm/fortunes_rtn.yaml\n" + extra));
  };
  CHECK_THROWS_WITH(spec_from_config(load("data: {dataset: fashion_mnist}\n")), Catch::Contains("llama"));
  CHECK_THROWS_WITH(spec_from_config(load("model: {llama: {hidden_sise: 64}}\n")), Catch::Contains("hidden_sise"));
  CHECK_THROWS_WITH(spec_from_config(load("train: {epochs: 3}\n")), Catch::Contains("epochs"));
  CHECK_THROWS_WITH(spec_from_config(load("quant: {act: {granularity: token, dynamic: false}}\n")),
                    Catch::Contains("dynamic"));
  CHECK_NOTHROW(spec_from_config(load("")));
}
