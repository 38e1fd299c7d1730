// Export of quantised models to packed weights: the packed model computes what the fake-quant
// model computes (ResNet-18 after QDrop reconstruction; the Fashion-MNIST ResNet-8 in every
// packed format), the quantised file reloads exactly, and unpackable settings or damaged files
// are clear errors.
#include <catch2/catch.hpp>

#include "framework/core/check.h"
#include "framework/deploy/check_packed.h"
#include "framework/io/safetensors.h"
#include "framework/method/method.h"
#include "tests/support/temp_dir.h"

using namespace ptq;

namespace {

// A model built from a shipped config shrunk for a test, quantised by its method on random
// calibration images.
LoadedModel quantised(const std::string& base, const std::vector<std::string>& overrides, int64_t images = 16) {
  register_builtin_methods();
  QuantizedModelInfo info;
  info.config_yaml = "_base_: " PTQ_SOURCE_DIR "/configs/" + base + "\nthreads: 1\nmodel: {weights: random}\n";
  info.variant = "test";
  info.overrides = overrides;
  auto m = build_model_for(info, "test config");
  torch::manual_seed(11);
  const auto& shape = m.model->input_shape();
  const auto calib = torch::randn({images, shape[0], shape[1], shape[2]});
  MethodContext ctx{*m.model, calib, m.spec.calibration.activations, 11};
  m.spec.method->apply(ctx);
  return m;
}

torch::Tensor test_images(const QuantModelImpl& model, int64_t n) {
  torch::manual_seed(12);
  const auto& s = model.input_shape();
  return torch::randn({n, s[0], s[1], s[2]});
}

}  // namespace

TEST_CASE("export: ResNet-18 after QDrop reconstruction runs packed with the fake-quant logits", "[deploy][packed]") {
  auto m = quantised("qdrop/resnet18_w4a4.yaml", {"model.image_size=64", "method.iters=2", "method.progress=false",
                                                  "calibration.num_samples=16", "calibration.act_samples=16"});
  const auto e = export_packed(*m.model, m.info);
  CHECK(e.layers.size() == 21);  // 20 convs (stem and downsamples included) + fc
  CHECK(e.float_layers.empty());
  const auto packed = packed_model_from_export(e, "test export");
  const auto c = check_packed(*m.model, packed, test_images(*m.model, 8), 4);
  INFO(c.report());
  CHECK(c.weights_identical);
  CHECK(c.passed);
  CHECK(c.logits_rel < 1e-5);
  // Every conv output is bit-identical (same dequantised weight, same conv); only the fc's
  // accumulation order differs.
  for (const auto& l : c.layers)
    if (l.name != "fc") CHECK(l.out_max_abs == 0.0);
}

TEST_CASE("export: every packed format reproduces the fake-quant model", "[deploy][packed]") {
  struct Case {
    std::string name;
    std::vector<std::string> set;
    std::string format;  // of layer1.0.conv1
  };
  const std::vector<Case> cases{
      {"int2 per channel", {"quant.weight.bits=2"}, "int2"},
      {"int3 groups of 32", {"quant.weight.bits=3", "quant.weight.granularity=group", "quant.weight.group_size=32"}, "int3"},
      {"int4 signed symmetric", {"quant.weight.bits=4", "quant.weight.signed=true", "quant.weight.symmetric=true"}, "int4"},
      {"int6 in int8, per tensor", {"quant.weight.bits=6", "quant.weight.granularity=tensor"}, "int8"},
      {"fp8 e4m3", {"quant.weight={_delete_: true, format: e4m3, granularity: channel, observer: mse}"}, "fp8_e4m3"},
      {"fp4 e2m1 groups of 32",
       {"quant.weight={_delete_: true, format: e2m1, granularity: group, group_size: 32, observer: mse}"}, "fp4_e2m1"},
  };
  for (const auto& c : cases) {
    DYNAMIC_SECTION(c.name) {
      auto set = c.set;
      set.insert(set.end(), {"variants=[]", "calibration.num_samples=16", "calibration.act_samples=16"});
      auto m = quantised("rtn/fmnist_resnet8.yaml", set);
      const auto e = export_packed(*m.model, m.info);
      bool found = false;
      for (const auto& l : e.layers)
        if (l.name == "layer1.0.conv1") {
          found = true;
          CHECK(kernels::format_traits(l.format).name == c.format);
        }
      CHECK(found);
      const auto packed = packed_model_from_export(e, "test export");
      const auto r = check_packed(*m.model, packed, test_images(*m.model, 16), 8);
      INFO(r.report());
      CHECK(r.passed);
      CHECK(r.top1_agreement == 100.0);
    }
  }
}

TEST_CASE("export: a saved quantised model reloads with identical logits; packed files round-trip",
          "[deploy][packed]") {
  test::TempDir dir;
  auto m = quantised("qdrop/fmnist_resnet8.yaml", {"method.iters=2", "method.progress=false",
                                                   "calibration.num_samples=16", "calibration.act_samples=16"});
  const auto x = test_images(*m.model, 8);
  torch::NoGradGuard no_grad;
  const auto expect = m.model->forward(x);
  const auto qpath = (dir.path() / "q.safetensors").string();
  save_quantized_model(*m.model, qpath, m.info);
  auto back = load_quantized_model(qpath);
  CHECK(torch::equal(back.model->forward(x), expect));
  CHECK(back.info.overrides == m.info.overrides);
  // The packed file, saved and loaded, gives what the in-memory export gives.
  const auto e = export_packed(*back.model, back.info);
  const auto ppath = (dir.path() / "p.safetensors").string();
  io::save_safetensors(ppath, e.tensors, e.metadata);
  const auto from_file = load_packed_model(ppath);
  const auto in_memory = packed_model_from_export(e, "memory");
  CHECK(torch::equal(from_file.loaded.model->forward(x), in_memory.loaded.model->forward(x)));
  CHECK((from_file.loaded.model->forward(x) - expect).abs().max().item<double>() <= 1e-5 * expect.abs().max().item<double>());
}

TEST_CASE("export: unpackable settings and damaged packed files are clear errors", "[deploy][packed]") {
  SECTION("a group size that is not a multiple of 32") {
    auto m = quantised("rtn/fmnist_resnet8.yaml", {"quant.weight.granularity=group",
                                                     "quant.weight.group_size=24", "calibration.num_samples=8",
                                                     "calibration.act_samples=8"});
    CHECK_THROWS_WITH(export_packed(*m.model, m.info), Catch::Contains("weight group size 24 cannot be packed"));
  }
  SECTION("weights wider than 8 bits") {
    auto m = quantised("rtn/fmnist_resnet8.yaml", {"quant.weight.bits=12",
                                                     "calibration.num_samples=8", "calibration.act_samples=8"});
    CHECK_THROWS_WITH(export_packed(*m.model, m.info), Catch::Contains("12-bit weights have no packed format"));
  }
  SECTION("a packed file with a tensor missing or a wrong shape") {
    test::TempDir dir;
    auto m = quantised("rtn/fmnist_resnet8.yaml", {"calibration.num_samples=8",
                                                     "calibration.act_samples=8"});
    auto e = export_packed(*m.model, m.info);
    auto missing = e.tensors;
    missing.erase("layer1.0.conv1.weight.scales");
    io::save_safetensors((dir.path() / "a.safetensors").string(), missing, e.metadata);
    CHECK_THROWS_WITH(load_packed_model((dir.path() / "a.safetensors").string()),
                      Catch::Contains("no tensor 'layer1.0.conv1.weight.scales'"));
    auto wrong = e.tensors;
    wrong["layer1.0.conv1.weight.packed"] = wrong["layer1.0.conv1.weight.packed"].narrow(1, 0, 1).contiguous();
    io::save_safetensors((dir.path() / "b.safetensors").string(), wrong, e.metadata);
    CHECK_THROWS_WITH(load_packed_model((dir.path() / "b.safetensors").string()),
                      Catch::Contains("layer1.0.conv1': packed words must be int32"));
    auto meta = e.metadata;
    meta.erase("ptq.packed_layers");
    io::save_safetensors((dir.path() / "c.safetensors").string(), e.tensors, meta);
    CHECK_THROWS_WITH(load_packed_model((dir.path() / "c.safetensors").string()),
                      Catch::Contains("is not a ptq packed model"));
  }
}
