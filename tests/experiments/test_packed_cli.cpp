// The packed deployment as a user runs it: ptq run (QDrop on the Fashion-MNIST ResNet-8, shrunk)
// saves the quantised models; ptq export packs them; ptq check-packed passes; ptq eval --packed
// gives the run's own top-1; ptq predict --packed writes logits.
#include <catch2/catch.hpp>

#include "framework/io/atomic_file.h"
#include "framework/io/safetensors.h"
#include "tests/support/cli_run.h"
#include "tests/support/temp_dir.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <regex>

using namespace ptq;
using test::ptq_cli;
namespace fs = std::filesystem;

namespace {

std::string only_run_dir(const fs::path& root) {
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.path().filename() == "metrics.json") return e.path().parent_path().string();
  FAIL("no run directory under " << root);
  return "";
}

}  // namespace

TEST_CASE("cli: run, export, check-packed, eval --packed and predict --packed", "[cli][packed]") {
  test::TempDir dir;
  const std::string small =
      " --set threads=1 --set model.weights=random --set calibration.num_samples=32 --set eval.limit=256"
      " --set eval.sqnr_samples=0 --set method.iters=4 --set method.progress=false"
      " --set 'variants=[{name: W4A4, set: {quant.weight.bits: 4, quant.act.bits: 4}},"
      " {name: W3A4-g32, set: {quant.weight.bits: 3, quant.act.bits: 4, quant.weight.granularity: group,"
      " quant.weight.group_size: 32}}]'"
      " --set output.dir=" + dir.path().string();
  auto r = ptq_cli("run " PTQ_SOURCE_DIR "/configs/qdrop/fmnist_resnet8.yaml" + small);
  INFO(r.output);
  REQUIRE(r.status == 0);
  const auto run_dir = only_run_dir(dir.path());
  CHECK(fs::exists(run_dir + "/quantized/W4A4.safetensors"));
  CHECK(fs::exists(run_dir + "/quantized/W3A4-g32.safetensors"));

  r = ptq_cli("export " + run_dir);
  INFO(r.output);
  REQUIRE(r.status == 0);
  CHECK_THAT(r.output, Catch::Contains("W4A4: 10 packed layers (int4 ×8, int8 ×2)"));
  CHECK_THAT(r.output, Catch::Contains("W3A4-g32: 10 packed layers (int3 ×8, int8 ×2)"));

  r = ptq_cli("check-packed " + run_dir + " --samples 128");
  INFO(r.output);
  CHECK(r.status == 0);
  CHECK_THAT(r.output, Catch::Contains("PASS"));
  const auto check = nlohmann::json::parse(io::read_file(run_dir + "/packed/check-W4A4.json"));
  CHECK(check["passed"] == true);
  CHECK(check["weights_identical"] == true);

  // The packed model's top-1 on the run's 256 test images is the run's own.
  const auto metrics = nlohmann::json::parse(io::read_file(run_dir + "/metrics.json"));
  for (const auto& row : metrics["runs"]) {
    const std::string name = row["name"];
    r = ptq_cli("eval --packed " + run_dir + "/packed/" + name + ".safetensors --set threads=1");
    INFO(r.output);
    REQUIRE(r.status == 0);
    std::smatch match;
    REQUIRE(std::regex_search(r.output, match, std::regex("top-1 ([0-9.]+)%")));
    CHECK(std::stod(match[1]) == Approx(row["top1"].get<double>()).margin(0.005));
  }

  const auto input = (dir.path() / "in.safetensors").string();
  io::save_safetensors(input, {{"input", torch::randn({2, 1, 28, 28})}});
  r = ptq_cli("predict --packed " + run_dir + "/packed/W4A4.safetensors --input " + input + " --output " +
              (dir.path() / "out.safetensors").string());
  INFO(r.output);
  CHECK(r.status == 0);
  CHECK(io::load_safetensors((dir.path() / "out.safetensors").string()).tensors.at("logits").sizes() ==
        torch::IntArrayRef({2, 10}));

  // A tampered packed weight fails the check with exit status 1.
  auto file = io::load_safetensors(run_dir + "/packed/W4A4.safetensors");
  auto& scales = file.tensors.at("layer1.0.conv1.weight.scales");
  scales = scales * 1.01;
  io::save_safetensors(run_dir + "/packed/W4A4.safetensors", file.tensors, file.metadata);
  r = ptq_cli("check-packed " + run_dir + " --variant W4A4 --samples 64");
  INFO(r.output);
  CHECK(r.status == 1);
  CHECK_THAT(r.output, Catch::Contains("FAIL"));

  r = ptq_cli("export " + run_dir + " --variant W9");
  CHECK(r.status == 2);
  CHECK_THAT(r.output, Catch::Contains("has no quantised variant 'W9'; it has: W3A4-g32, W4A4"));
}
