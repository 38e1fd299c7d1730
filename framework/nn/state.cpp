#include "framework/nn/state.h"

namespace ptq {

bool is_quantizer_state(const std::string& name) {
  return name.find("quantizer.") != std::string::npos;
}

namespace {
std::map<std::string, torch::Tensor> collect(const torch::nn::Module& module, bool quantizers) {
  std::map<std::string, torch::Tensor> out;
  for (const auto& p : module.named_parameters())
    if (is_quantizer_state(p.key()) == quantizers) out[p.key()] = p.value();
  for (const auto& b : module.named_buffers())
    if (is_quantizer_state(b.key()) == quantizers) out[b.key()] = b.value();
  return out;
}
}  // namespace

std::map<std::string, torch::Tensor> model_state(const torch::nn::Module& module) { return collect(module, false); }
std::map<std::string, torch::Tensor> quantizer_state(const torch::nn::Module& module) { return collect(module, true); }

}  // namespace ptq
