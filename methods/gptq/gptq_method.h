// gptq — GPTQ (Frantar et al., ICLR 2023): one-shot weight quantisation with second-order
// error compensation (gptq_solver.h), applied unit by unit (a decoder layer, a residual block):
//   1. the unit's input is the output of the already-quantised prefix on the calibration set
//      (kept in an ActivationCache, so it streams to disk beyond method.cache.memory_mb);
//   2. one pass of the unit with its own weights still float accumulates H = 2/N Σ xxᵀ for
//      every layer's input (all layers of the unit at once, GPTQ's default; the reference
//      script's --true-sequential option is not implemented);
//   3. every layer is solved with its weight quantiser's grid; the quantised weights replace the
//      float ones;
//   4. the unit's quantised output becomes the next unit's input.
// Activation quantisers (W4A8, W4A4) are calibrated afterwards exactly as rtn does.
// Linear and dense Conv2d layers (im2col rows) are solved; grouped / depthwise convolutions
// keep round-to-nearest (logged).
//
// Options (method.*): block_size 128, percdamp 0.01, act_order false, static_groups false
// (forced by act_order with groups), batch_size 16 (forward batch), cache {memory_mb, spill_dir}.
#pragma once

#include "framework/method/method.h"
#include "framework/recon/activation_cache.h"
#include "methods/gptq/gptq_solver.h"

namespace ptq::methods {

class GptqMethod final : public Method {
 public:
  GptqMethod(GptqOptions options, int64_t batch_size, CacheOptions cache)
      : options_(options), batch_size_(batch_size), cache_(std::move(cache)) {}
  std::string name() const override { return "gptq"; }
  void apply(MethodContext& ctx) override;
  static std::unique_ptr<Method> from_config(const config::Section& section);

 private:
  GptqOptions options_;
  int64_t batch_size_;
  CacheOptions cache_;
};

}  // namespace ptq::methods
