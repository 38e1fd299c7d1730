#include "framework/nn/zoo.h"

#include "framework/nn/mobilenet_v2.h"
#include "framework/nn/regnet.h"
#include "framework/nn/resnet.h"

#include <mutex>

namespace ptq {
namespace {

ResNetOptions resnet_options(const std::string& arch, const ModelOptions& m) {
  ResNetOptions o;
  o.arch = arch;
  o.num_classes = m.num_classes;
  o.in_channels = m.in_channels;
  o.image_size = m.image_size;
  o.small_input = m.small_input;
  return o;
}

ModelFactory cifar_resnet(const std::string& arch, int64_t blocks) {
  return [arch, blocks](const ModelOptions& m) -> QuantModel {
    auto o = resnet_options(arch, m);
    o.blocks = {blocks, blocks, blocks};
    o.widths = {16, 32, 64};
    o.stem_width = 16;
    o.small_input = true;
    return std::make_shared<ResNetImpl>(o);
  };
}

ModelFactory regnet(const std::string& arch, RegNetDesign design) {
  return [arch, design](const ModelOptions& m) -> QuantModel {
    RegNetOptions o;
    o.arch = arch;
    o.design = design;
    o.num_classes = m.num_classes;
    o.in_channels = m.in_channels;
    o.image_size = m.image_size;
    o.small_input = m.small_input;
    return std::make_shared<RegNetImpl>(o);
  };
}

}  // namespace

Registry<ModelFactory>& model_registry() {
  static Registry<ModelFactory> registry("model");
  return registry;
}

void register_builtin_models() {
  static std::once_flag once;
  std::call_once(once, [] {
    auto& r = model_registry();
    r.add("resnet18", "ResNet-18 (torchvision names, BasicBlock [2,2,2,2])", [](const ModelOptions& m) -> QuantModel {
      return std::make_shared<ResNetImpl>(resnet_options("resnet18", m));
    });
    r.add("resnet50", "ResNet-50 v1.5 (torchvision names, Bottleneck [3,4,6,3])", [](const ModelOptions& m) -> QuantModel {
      auto o = resnet_options("resnet50", m);
      o.bottleneck = true;
      o.blocks = {3, 4, 6, 3};
      return std::make_shared<ResNetImpl>(o);
    });
    r.add("mobilenet_v2", "MobileNetV2 (torchvision names, width 1.0, InvertedResidual units)",
          [](const ModelOptions& m) -> QuantModel {
            MobileNetV2Options o;
            o.num_classes = m.num_classes;
            o.in_channels = m.in_channels;
            o.image_size = m.image_size;
            o.small_input = m.small_input;
            return std::make_shared<MobileNetV2Impl>(o);
          });
    r.add("regnetx_400mf", "RegNetX-400MF (torchvision names, widths 32/64/160/400, depths 1/2/7/12)",
          regnet("regnetx_400mf", regnetx_400mf_design()));
    r.add("regnetx_600mf", "RegNetX-600MF (torchvision RegNet names and rules, widths 48/96/240/528, depths 1/3/5/7)",
          regnet("regnetx_600mf", regnetx_600mf_design()));
    r.add("resnet8", "CIFAR-style ResNet-8 (16/32/64, 1 block per stage) for 28-32 px inputs", cifar_resnet("resnet8", 1));
    r.add("resnet14", "CIFAR-style ResNet-14 (2 blocks per stage)", cifar_resnet("resnet14", 2));
    r.add("resnet20", "CIFAR-style ResNet-20 (3 blocks per stage)", cifar_resnet("resnet20", 3));
  });
}

QuantModel create_model(const std::string& name, const ModelOptions& options) {
  register_builtin_models();
  return model_registry().get(name).factory(options);
}

}  // namespace ptq
