// Loading and saving model weights as safetensors under torchvision's names.
//
// load_model_weights is strict, because a silently half-loaded model gives plausible but
// wrong numbers: every model tensor must be in the file and every file tensor must belong
// to the model, with equal shapes. Tensors are converted to the model's dtype. Errors list
// every problem at once (missing, unexpected with a did-you-mean, shape mismatches) and
// name the file. Quantiser state is not part of FP checkpoints (see nn/state.h).
// `allow_partial` (config: model.allow_partial_load) loads what matches instead: missing
// tensors keep the model's initial values, unexpected ones are skipped, both listed in one
// warning; shape mismatches are always errors.
// Weights must be loaded before fold_batchnorm(): a folded model has no BN tensors.
#pragma once

#include "framework/nn/model.h"

#include <map>
#include <string>

namespace ptq {

void load_model_weights(QuantModelImpl& model, const std::string& path, bool allow_partial = false);
// Same, from tensors already in memory; `source` names them in errors.
void load_model_state(QuantModelImpl& model, const std::map<std::string, torch::Tensor>& tensors,
                      const std::string& source, bool allow_partial = false);
void save_model_weights(const QuantModelImpl& model, const std::string& path,
                        const std::map<std::string, std::string>& metadata = {});

}  // namespace ptq
