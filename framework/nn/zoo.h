// The model zoo: every architecture ptq can build, by name, through one registry
// (`ptq list models`). ModelOptions are the knobs every architecture accepts.
#pragma once

#include "framework/core/registry.h"
#include "framework/nn/model.h"

#include <functional>

namespace ptq {

struct ModelOptions {
  int64_t num_classes = 1000;
  int64_t in_channels = 3;
  int64_t image_size = 224;  // square input side; used to validate data and by predict
  bool small_input = false;  // 3x3/1 stem without max-pool, for 28-32 px inputs
};

using ModelFactory = std::function<QuantModel(const ModelOptions&)>;
Registry<ModelFactory>& model_registry();

// Registers the built-in architectures once; safe to call repeatedly.
void register_builtin_models();

// Builds a model by name (registering built-ins first); unknown names list the known ones.
QuantModel create_model(const std::string& name, const ModelOptions& options);

}  // namespace ptq
