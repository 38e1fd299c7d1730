// RoundingPolicy: replaces round-to-nearest inside a weight Quantizer. Reconstruction
// methods learn how each weight rounds (AdaRound's h(V), framework/recon/adaround.h);
// the quantiser keeps its scale and zero point and delegates the grid mapping here.
// Quantizers without a policy round to nearest. The interface lives in quant/ so the
// quantiser does not depend on the reconstruction engine.
#pragma once

#include "framework/quant/quant_spec.h"

#include <torch/torch.h>

namespace ptq {

class RoundingPolicy {
 public:
  virtual ~RoundingPolicy() = default;
  // Fake-quantises the grouped weight xg [R, nG, G] with scale / zero_point [R, nG];
  // returns the dequantised values in the same layout (differentiable where the policy is).
  virtual torch::Tensor fake_quant(const torch::Tensor& xg, const torch::Tensor& scale,
                                   const torch::Tensor& zero_point, const QuantSpec& spec) = 0;
};

}  // namespace ptq
