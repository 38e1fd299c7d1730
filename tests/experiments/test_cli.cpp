// Runs the real `ptq` binary as a user would and checks exit codes and messages.
#include <catch2/catch.hpp>

#include "framework/io/safetensors.h"
#include "framework/nn/weights.h"
#include "framework/nn/zoo.h"
#include "tests/support/cli_run.h"
#include "tests/support/fixtures.h"
#include "tests/support/tensors.h"
#include "tests/support/temp_dir.h"

#include <array>
#include <cstdio>
#include <cstdlib>

using namespace ptq;

using test::ptq_cli;

TEST_CASE("cli: help and list", "[cli]") {
  auto r = ptq_cli("--help");
  CHECK(r.status == 0);
  CHECK_THAT(r.output, Catch::Contains("run      CONFIG"));
  r = ptq_cli("list");
  CHECK(r.status == 0);
  for (const char* s : {"resnet18", "resnet50", "resnet8", "rtn", "fp", "mse_grid", "e4m3"}) CHECK_THAT(r.output, Catch::Contains(s));
  r = ptq_cli("run --help");
  CHECK(r.status == 0);
  CHECK_THAT(r.output, Catch::Contains("usage: ptq run CONFIG.yaml"));
}

TEST_CASE("cli: user errors exit 2 with one clear message", "[cli]") {
  auto r = ptq_cli("rnu configs/quickstart.yaml");
  CHECK(r.status == 2);
  CHECK_THAT(r.output, Catch::Contains("unknown command 'rnu' (did you mean 'run'?)"));
  r = ptq_cli("run /nonexistent/x.yaml");
  CHECK(r.status == 2);
  CHECK_THAT(r.output, Catch::Contains("error: config file '/nonexistent/x.yaml' not found"));
  r = ptq_cli("run configs/quickstart.yaml --sett quant.weight.bits=2");
  CHECK(r.status == 2);
  CHECK_THAT(r.output, Catch::Contains("unknown option '--sett' (did you mean '--set'?)"));
  r = ptq_cli("run configs/quickstart.yaml --set quant.weight.bits");
  CHECK(r.status == 2);
  CHECK_THAT(r.output, Catch::Contains("expected the form key.path=value"));
  r = ptq_cli("list modles");
  CHECK(r.status == 2);
  CHECK_THAT(r.output, Catch::Contains("did you mean 'models'"));
}

TEST_CASE("cli: malformed YAML reports file, line and column", "[cli]") {
  test::TempDir dir;
  const auto path = dir.write("bad.yaml", "model:\n  arch: [resnet8\n");
  const auto r = ptq_cli("run " + path);
  CHECK(r.status == 2);
  CHECK_THAT(r.output, Catch::Contains("bad.yaml:") && Catch::Contains("invalid YAML"));
}

TEST_CASE("cli: predict writes the model's logits for a given input", "[cli]") {
  test::TempDir dir;
  torch::manual_seed(11);
  auto model = create_model("resnet8", test::fmnist_model_options());
  model->eval();
  save_model_weights(*model, dir.file("w.safetensors"));
  auto x = torch::randn({3, 1, 28, 28});
  io::save_safetensors(dir.file("in.safetensors"), {{"input", x}});
  const auto cfg = dir.write("p.yaml", "model: {arch: resnet8, weights: " + dir.file("w.safetensors") + "}\n");
  auto r = ptq_cli("predict " + cfg + " --input " + dir.file("in.safetensors") + " --output " + dir.file("out.safetensors"));
  INFO(r.output);
  REQUIRE(r.status == 0);
  auto logits = io::load_safetensors(dir.file("out.safetensors")).tensors.at("logits");
  torch::NoGradGuard ng;
  PTQ_REQUIRE_CLOSE(logits, model->forward(x), 1e-5, 1e-5);

  io::save_safetensors(dir.file("bad_in.safetensors"), {{"input", torch::randn({3, 3, 28, 28})}});
  r = ptq_cli("predict " + cfg + " --input " + dir.file("bad_in.safetensors") + " --output " + dir.file("o2.safetensors"));
  CHECK(r.status == 2);
  CHECK_THAT(r.output, Catch::Contains("has shape [3, 3, 28, 28]; resnet8 expects [N, 1, H, W]"));
}

TEST_CASE("cli: a corrupt checkpoint is a clear error, not a crash", "[cli]") {
  test::TempDir dir;
  dir.write("w.safetensors", std::string("\x10\x00\x00\x00\x00\x00\x00\x00{\"a\": 1", 15));
  const auto cfg = dir.write("p.yaml", "model: {arch: resnet8, weights: " + dir.file("w.safetensors") + "}\n");
  io::save_safetensors(dir.file("in.safetensors"), {{"input", torch::randn({1, 1, 28, 28})}});
  const auto r = ptq_cli("predict " + cfg + " --input " + dir.file("in.safetensors") + " --output " + dir.file("o.safetensors"));
  CHECK(r.status == 2);
  CHECK_THAT(r.output, Catch::Contains("w.safetensors"));
}

TEST_CASE("cli: eval reports FP accuracy of the configured model", "[cli]") {
  test::TempDir dir;
  const auto cfg = dir.write("e.yaml", "_base_: " PTQ_SOURCE_DIR "/configs/quickstart.yaml\n"
                                       "threads: 1\nmodel: {weights: random}\neval: {limit: 256}\n");
  const auto r = ptq_cli("eval " + cfg);
  INFO(r.output);
  CHECK(r.status == 0);
  CHECK_THAT(r.output, Catch::Contains("resnet8 FP: top-1") && Catch::Contains("256 images"));
}

TEST_CASE("cli: PD-Quant and MetaAug run from their Fashion-MNIST configs with ptq run", "[cli][pd_quant][meta_aug]") {
  // The shipped configs, shrunk by command-line overrides: random weights, 32 calibration
  // images, a few iterations, one variant, 256 test images.
  for (const std::string method : {"pd_quant", "meta_aug"}) {
    DYNAMIC_SECTION(method) {
      test::TempDir dir;
      const std::string small =
          " --set threads=1 --set model.weights=random --set calibration.num_samples=32 --set eval.limit=256"
          " --set eval.sqnr_samples=16 --set method.iters=4 --set method.progress=false"
          " --set 'variants=[{name: W2A2, set: {quant.weight.bits: 2, quant.act.bits: 2}}]'"
          " --set output.dir=" + dir.path().string() +
          (method == "pd_quant" ? std::string(" --set method.dc.iters=2")
                                : std::string(" --set method.meta.iters=2 --set method.transform.warmup.iters=2"));
      const auto r = ptq_cli("run " PTQ_SOURCE_DIR "/configs/" + method + "/fmnist_resnet8.yaml" + small);
      INFO(r.output);
      CHECK(r.status == 0);
      CHECK_THAT(r.output, Catch::Contains("| W2A2 | " + method + " | W2A2 |"));
    }
  }
}
