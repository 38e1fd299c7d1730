// Method plugins. A method turns a configured FP model (quantisers placed by QuantSetup,
// BN folded, weights loaded) into a quantised one: it calibrates and, for reconstruction
// methods, optimises. Methods are found by name in one registry (`ptq list methods`);
// each reads its own options from the `method:` section of the config in its factory, so
// a config key is read in exactly one place. Built-ins are registered explicitly by
// register_builtin_methods() (methods/register_builtin_methods.cpp).
#pragma once

#include "framework/config/section.h"
#include "framework/core/registry.h"
#include "framework/nn/calibration.h"
#include "framework/nn/model.h"

#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <string>

namespace ptq {

struct MethodContext {
  QuantModelImpl& model;
  torch::Tensor calibration;         // calibration images [N, C, H, W]
  CalibrationOptions calibration_options;
  uint64_t seed = 0;
  std::string run_dir;               // where methods may write logs ("" = nowhere)
  std::string variant;               // the run's variant name (labels log lines)
  nlohmann::json details = nlohmann::json::object();  // method-specific results for metrics.json
};

class Method {
 public:
  virtual ~Method() = default;
  virtual std::string name() const = 0;
  // Whether the method quantises at all (fp does not; the runner then skips quant eval).
  virtual bool quantizes() const { return true; }
  virtual void apply(MethodContext& ctx) = 0;
};

// Builds a method from its config section (`method:`; the factory must read every key it
// accepts, so unknown keys are reported).
using MethodFactory = std::function<std::unique_ptr<Method>(const config::Section& section)>;

Registry<MethodFactory>& method_registry();
void register_builtin_methods();  // defined in methods/, idempotent

// Builds method `name` (registering built-ins first) from its section; unknown names list the known ones.
std::unique_ptr<Method> create_method(const std::string& name, const config::Section& section);

}  // namespace ptq
