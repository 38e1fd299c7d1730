// What the pluggable pieces of the reconstruction loop (losses, input policies) see of the
// group being reconstructed: the model, the group, the activation cache holding its
// per-sample tensors, and its quantised forward.
//
// Cache entries while a group is reconstructed (N rows each, the calibration set):
//   "fp_in"  — the group's input in the float network
//   "q_in"   — its input in the quantised network (only when the input policy needs it)
//   "fp_out" — its float output (the reconstruction target)
// Pieces may add their own entries in prepare() (e.g. "fisher" weights); every entry is
// released when the group is done.
#pragma once

#include "framework/nn/model.h"
#include "framework/recon/activation_cache.h"
#include "framework/recon/granularity.h"

#include <functional>

namespace ptq {

struct GroupContext {
  QuantModelImpl& model;
  const ReconGroup& group;
  ActivationCache& cache;
  int64_t rows = 0;           // rows the loop samples from: the calibration set, or more when an input
                              // policy adds rows in prepare() (and removes them in finish())
  int64_t forward_batch = 64; // batch size for no-grad passes over the cache
  // The group's quantised forward (the module being optimised), with autograd.
  std::function<torch::Tensor(const torch::Tensor&)> forward;
};

}  // namespace ptq
