#include <catch2/catch.hpp>

#include "framework/nn/state.h"
#include "framework/nn/zoo.h"
#include "tests/support/tensors.h"

using namespace ptq;

namespace {
// Gives every BN non-trivial statistics so folding is actually exercised.
void randomise_bn(torch::nn::Module& m) {
  torch::NoGradGuard ng;
  for (auto& kv : m.named_buffers()) {
    if (kv.key().find("running_mean") != std::string::npos) kv.value().normal_(0, 0.3);
    if (kv.key().find("running_var") != std::string::npos) kv.value().uniform_(0.5, 2.0);
  }
  for (auto& kv : m.named_parameters()) {
    if (kv.key().find("bn") != std::string::npos || kv.key().find("downsample.1") != std::string::npos)
      kv.value().normal_(kv.key().find("weight") != std::string::npos ? 1.0 : 0.0, 0.2);
  }
}
}  // namespace

TEST_CASE("folding BN into convs keeps the eval-mode output", "[nn]") {
  const std::string arch = GENERATE("resnet8", "resnet18", "resnet50");
  ModelOptions o;
  o.num_classes = 10;
  o.image_size = arch == "resnet8" ? 28 : 64;
  o.in_channels = arch == "resnet8" ? 1 : 3;
  auto model = create_model(arch, o);
  randomise_bn(*model);
  model->eval();
  auto x = torch::randn({2, o.in_channels, o.image_size, o.image_size});
  auto before = model->forward(x);
  const auto keys_before = model_state(*model).size();
  model->fold_batchnorm();
  CHECK(model->batchnorm_folded());
  auto after = model->forward(x);
  INFO(arch);
  PTQ_REQUIRE_CLOSE(after, before, 1e-3, 1e-4);
  // BN parameters and buffers are gone; each conv gained a bias.
  for (const auto& kv : model_state(*model)) CHECK(kv.first.find("bn") == std::string::npos);
  CHECK(model_state(*model).size() < keys_before);
  model->fold_batchnorm();  // idempotent
  PTQ_REQUIRE_CLOSE(model->forward(x), after, 0, 0);
}
