// What one run directory says about its run, read back for the results store: the identity
// (run hash of config.yaml), the sweep point that asked for it (sweep_point.json, when a sweep
// made it), the environment (env.json) and the results (metrics.json). A run is complete when
// metrics.json says "finished": true; runs written before that flag existed count as complete
// when every variant of their config has a row.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace ptq {

struct RunRecord {
  std::string dir;
  std::string hash;         // run_hash of the run's config
  std::string config;       // the config's name
  std::string config_yaml;  // the resolved config
  std::string sweep;        // "" when no sweep made it
  nlohmann::json swept = nlohmann::json::object();
  nlohmann::json env = nlohmann::json::object();
  nlohmann::json metrics;
};

// Whether `dir` holds a complete run (metrics.json present, valid and finished). A file that
// exists but cannot be read is a UserError (never taken as "not complete").
bool run_is_complete(const std::string& dir);

// Reads a complete run; std::nullopt when it is not complete. A damaged file (invalid JSON,
// a config.yaml that does not parse) is a UserError naming it.
std::optional<RunRecord> read_run(const std::string& dir);

// The sweep_point.json a sweep writes into each run folder before the run starts.
void write_sweep_point(const std::string& dir, const std::string& sweep, const std::string& hash,
                       const nlohmann::json& swept, const std::vector<std::string>& command);

}  // namespace ptq
