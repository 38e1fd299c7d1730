// A run directory describes its run completely (DESIGN.md idiom 7):
//   runs/<config-name>/<YYYYmmdd-HHMMSS>[-N]/
//     config.yaml   the fully resolved config (bases merged, overrides applied)
//     argv.txt      the command line
//     env.json      ptq git commit, LibTorch version, threads, host, time, seed
//     run.log       every log line of the run
//     metrics.json  results, rewritten atomically after every step so nothing is lost;
//                   "finished": true only in the last write (a killed run stays false)
//     quantized/    <variant>.safetensors, each quantised model (framework/deploy), unless
//                   output.save_quantized is false
// A sweep names the folder itself (runs/sweeps/<sweep>/<config hash>/): given `dir`, RunDir
// uses it, creating it when missing and refusing one that already holds results.
#pragma once

#include "framework/config/config.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace ptq {

class RunDir {
 public:
  // Creates a fresh directory under `root`/`config_name`/ — or uses `dir` itself when given —
  // and writes config, argv and env.
  RunDir(const std::string& root, const config::Config& cfg, const std::vector<std::string>& argv, uint64_t seed,
         int threads, const std::string& dir = "");
  const std::string& path() const { return path_; }
  void write_metrics(const nlohmann::json& metrics) const;

 private:
  std::string path_;
};

// The git commit of the ptq source tree ("unknown" when not a git checkout), with "-dirty"
// when tracked files have local changes.
std::string ptq_git_commit();
std::string host_name();
nlohmann::json environment_json(uint64_t seed, int threads);

}  // namespace ptq
