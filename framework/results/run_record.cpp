#include "framework/results/run_record.h"

#include "framework/config/config.h"
#include "framework/core/check.h"
#include "framework/io/atomic_file.h"
#include "framework/sweep/config_hash.h"

#include <filesystem>

namespace ptq {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

std::optional<Json> read_json(const fs::path& file, bool required) {
  if (!fs::exists(file)) {
    PTQ_CHECK(!required, "{} is missing; the run folder is incomplete (rerun it)", file.string());
    return std::nullopt;
  }
  try {
    return Json::parse(io::read_file(file.string()));
  } catch (const Json::exception& e) {
    PTQ_FAIL("{} is not valid JSON ({}); remove the run folder or rerun it", file.string(), e.what());
  }
}

bool finished(const Json& m, const YAML::Node& config) {
  if (!m.contains("fp") || !m.contains("runs") || !m["runs"].is_array()) return false;
  if (m.contains("finished")) return m["finished"].is_boolean() && m["finished"].get<bool>();
  // Before the flag: every variant (or the config's single run) has its row.
  const YAML::Node variants = config["variants"];
  const size_t expected = variants && variants.IsSequence() && variants.size() > 0 ? variants.size() : 1;
  return m["runs"].size() >= expected;
}

}  // namespace

bool run_is_complete(const std::string& dir) {
  const fs::path d(dir);
  if (!fs::exists(d / "metrics.json") || !fs::exists(d / "config.yaml")) return false;
  // A file that cannot be read (permissions, a network file system's hiccup) is an error, not
  // a half-written run: the caller must not discard a folder it could not look into.
  const std::string metrics = io::read_file((d / "metrics.json").string());
  const std::string config = io::read_file((d / "config.yaml").string());
  try {
    return finished(Json::parse(metrics), YAML::Load(config));
  } catch (const Json::exception&) {
    return false;  // damaged (ptq writes it atomically, so never half-written by ptq itself)
  } catch (const YAML::Exception&) {
    return false;
  }
}

std::optional<RunRecord> read_run(const std::string& dir) {
  const fs::path d(dir);
  auto metrics = read_json(d / "metrics.json", false);
  if (!metrics || !fs::exists(d / "config.yaml")) return std::nullopt;
  RunRecord r;
  r.dir = dir;
  r.config_yaml = io::read_file((d / "config.yaml").string());
  YAML::Node tree;
  try {
    tree = YAML::Load(r.config_yaml);
  } catch (const YAML::Exception& e) {
    PTQ_FAIL("{}/config.yaml does not parse ({}); remove the run folder or rerun it", dir, e.what());
  }
  if (!finished(*metrics, tree)) return std::nullopt;
  r.metrics = *metrics;
  r.config = r.metrics.value("config", "");
  PTQ_CHECK(!r.config.empty(), "{}/metrics.json has no 'config' name; it was not written by ptq run", dir);
  r.hash = run_hash(r.config, tree);
  if (auto env = read_json(d / "env.json", false)) r.env = *env;
  if (auto point = read_json(d / "sweep_point.json", false)) {
    r.sweep = point->value("sweep", "");
    if (point->contains("swept")) r.swept = (*point)["swept"];
  }
  return r;
}

void write_sweep_point(const std::string& dir, const std::string& sweep, const std::string& hash,
                       const Json& swept, const std::vector<std::string>& command) {
  const Json j = {{"sweep", sweep}, {"hash", hash}, {"swept", swept}, {"command", command}};
  io::write_text_atomic((fs::path(dir) / "sweep_point.json").string(), j.dump(2) + "\n");
}

}  // namespace ptq
