// The quantised model a run produced, saved so it can be evaluated, exported and checked later
// without rerunning the method.
//
// RUN_DIR/quantized/<variant>.safetensors holds
//   * the model state under torchvision's names, with every quantised layer's "weight" replaced
//     by its fake-quantised value (the grid values the method chose: learned rounding,
//     clipping, everything), so no rounding policy is needed to reproduce it;
//   * the scale and zero point of every quantiser that was quantising at the end of the run
//     (…quantizer.scale / …quantizer.zero_point);
//   * metadata: the resolved config (ptq.config, YAML), the variant name and its overrides
//     (ptq.variant, ptq.overrides as JSON), the architecture and the ptq commit.
// Loading rebuilds the model from that config (architecture, BN folding, quantiser setup),
// loads the tensors strictly and switches exactly the saved quantisers to Quantize. Re-quantising
// a grid value with its own scale and zero point returns it unchanged, so the loaded model
// computes what the run evaluated.
#pragma once

#include "framework/experiment/experiment_spec.h"
#include "framework/nn/model.h"

#include <map>
#include <string>
#include <vector>

namespace ptq {

struct QuantizedModelInfo {
  std::string config_yaml;             // the run's resolved config
  std::string variant;                 // variant name (the config's label when it has none)
  std::vector<std::string> overrides;  // the variant's overrides on top of the config
};

void save_quantized_model(QuantModelImpl& model, const std::string& path, const QuantizedModelInfo& info);

struct LoadedModel {
  QuantModel model;
  ExperimentSpec spec;  // the variant's spec (config + overrides)
  QuantizedModelInfo info;
};

LoadedModel load_quantized_model(const std::string& path);

// Metadata common to quantised and packed files, and the spec and bare model (architecture,
// BN folded as configured, quantisers set up but Off) they describe.
std::map<std::string, std::string> model_file_metadata(const QuantModelImpl& model, const QuantizedModelInfo& info);
QuantizedModelInfo read_model_file_info(const std::map<std::string, std::string>& metadata, const std::string& path);
LoadedModel build_model_for(const QuantizedModelInfo& info, const std::string& path);

// Switches on the quantisers whose state `tensors` holds (…quantizer.scale / .zero_point),
// loading those values; throws UserError naming `source` for state of a quantiser the model
// does not configure. Returns how many were loaded.
int load_quantizer_state(QuantModelImpl& model, const std::map<std::string, torch::Tensor>& tensors,
                         const std::string& source);

// Configured and quantising (what a quantised file records and what export packs).
bool is_quantizing(const QuantizerImpl& q);

// Where a run keeps its quantised models: RUN_DIR/quantized/<variant>.safetensors.
std::string quantized_model_path(const std::string& run_dir, const std::string& variant);
// Variant names with a quantised model in `run_dir`, in metrics.json order; throws UserError
// naming the directory when there are none.
std::vector<std::string> quantized_variants(const std::string& run_dir);

}  // namespace ptq
