// Every config shipped under configs/ (bases excluded) must load and validate, and the paper
// presets must carry the published protocol values.
#include <catch2/catch.hpp>

#include "framework/config/config.h"
#include "framework/experiment/experiment_spec.h"
#include "methods/brecq/brecq_method.h"
#include "methods/qdrop/qdrop_method.h"

#include <filesystem>

using namespace ptq;
namespace fs = std::filesystem;

namespace {

ExperimentSpec load(const std::string& rel) {
  return spec_from_config(config::Config::load(std::string(PTQ_SOURCE_DIR) + "/configs/" + rel));
}

}  // namespace

TEST_CASE("configs: every shipped experiment config validates", "[experiment][configs]") {
  int checked = 0;
  for (const auto& e : fs::recursive_directory_iterator(std::string(PTQ_SOURCE_DIR) + "/configs")) {
    if (!e.is_regular_file() || e.path().extension() != ".yaml") continue;
    const auto rel = fs::relative(e.path(), std::string(PTQ_SOURCE_DIR) + "/configs").string();
    if (rel.rfind("_base_", 0) == 0) continue;
    INFO(rel);
    CHECK_NOTHROW(load(rel));
    ++checked;
  }
  CHECK(checked >= 3 * 16 + 4);  // 3 methods x 4 models x 4 bit widths, plus Fashion-MNIST configs
}

TEST_CASE("configs: paper presets carry each method's protocol", "[experiment][configs]") {
  const auto q = load("qdrop/mobilenet_v2_w2a4.yaml");
  CHECK(q.quant.weight.spec.bits == 2);
  CHECK(q.quant.act.spec.bits == 4);
  CHECK(q.quant.first_layer_act_bits == 0);
  CHECK(q.quant.last_layer_act_bits == 8);
  CHECK(q.quant.act.lsq_grad_scale);
  CHECK(q.calibration.num_samples == 1024);
  CHECK(q.calibration.activations.order == "fp");
  CHECK(q.data.calibration_augment);
  const auto& qo = dynamic_cast<const methods::QdropMethod&>(*q.method).options();
  CHECK(qo.iters == 20000);
  CHECK(qo.batch_size == 32);
  CHECK(qo.adaround.lambda == 0.1);
  CHECK(qo.input.keep_prob == 0.5);

  const auto b = load("brecq/resnet18_w3a3.yaml");
  CHECK(b.quant.first_layer_act_bits == 8);
  CHECK(b.quant.last_layer_act_bits == 0);  // the released code's behaviour for ResNet
  CHECK(b.calibration.activations.act_samples == 64);
  CHECK(b.seed == 1005);
}
