// Per-unit SQNR: how far each unit's output in the quantised model is from the same unit's
// output in the float model, each fed by its own prefix (so errors accumulate as they do
// at inference). SQNR = 10·log10(Σ fp² / Σ (q − fp)²) in dB, over all given images.
// The quantisers' states are restored afterwards.
#pragma once

#include "framework/nn/model.h"

#include <string>
#include <utility>
#include <vector>

namespace ptq {

std::vector<std::pair<std::string, double>> per_unit_sqnr(QuantModelImpl& model, const torch::Tensor& images,
                                                          int64_t batch_size);

}  // namespace ptq
