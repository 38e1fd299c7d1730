// run_experiment: the whole `ptq run` pipeline for one config —
//   validate the config (and every variant) → run directory → data → FP model (trained,
//   cached or loaded) → fold BN → calibration set → FP evaluation → for each variant:
//   restore FP weights, place quantisers (quant.*), apply the method, evaluate, per-unit SQNR
// — writing metrics.json after every step ("finished": true and the wall time in the last). Variants share the model, data and calibration
// set, so they may only change quant.*, method.* and calibration.* (not model, data, train,
// eval, seed or output); anything else is rejected before work starts.
#pragma once

#include "framework/config/config.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace ptq {

struct RunResult {
  std::string run_dir;
  nlohmann::json metrics;
};

// `run_dir` (optional) is the run directory to use instead of <output.dir>/<config>/<time>/.
RunResult run_experiment(const config::Config& cfg, const std::vector<std::string>& argv,
                         const std::string& run_dir = "");

// The results as a Markdown table (one row for FP, one per variant).
std::string results_table(const nlohmann::json& metrics);

}  // namespace ptq
