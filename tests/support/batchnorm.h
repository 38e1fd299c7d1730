// Gives every BatchNorm of a model non-trivial eval statistics and affine parameters, so
// BN folding and checkpoint equivalence are actually exercised (a fresh BN is the identity
// up to eps). BNs are found by their running_mean buffer, whatever their names.
// Draws from the global generator: seed it first (torch::manual_seed) for reproducibility.
#pragma once

#include <torch/torch.h>

#include <set>
#include <string>

namespace ptq::test {

inline void randomise_batchnorm(torch::nn::Module& model) {
  torch::NoGradGuard no_grad;
  const std::string mean_suffix = "running_mean";
  std::set<std::string> prefixes;  // "layer1.0.bn1." etc.
  for (auto& kv : model.named_buffers()) {
    const auto& name = kv.key();
    const bool is_mean = name.size() >= mean_suffix.size() &&
                         name.compare(name.size() - mean_suffix.size(), mean_suffix.size(), mean_suffix) == 0;
    if (is_mean) {
      prefixes.insert(name.substr(0, name.size() - mean_suffix.size()));
      kv.value().normal_(0, 0.3);
    }
  }
  for (auto& kv : model.named_buffers())
    for (const auto& p : prefixes)
      if (kv.key() == p + "running_var") kv.value().uniform_(0.5, 2.0);
  for (auto& kv : model.named_parameters()) {
    for (const auto& p : prefixes) {
      if (kv.key() == p + "weight") kv.value().normal_(1.0, 0.2);
      if (kv.key() == p + "bias") kv.value().normal_(0.0, 0.2);
    }
  }
}

}  // namespace ptq::test
