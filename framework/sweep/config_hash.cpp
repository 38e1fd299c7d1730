#include "framework/sweep/config_hash.h"

#include "framework/config/scalars.h"
#include "framework/core/sha256.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace ptq {
namespace {

using Json = nlohmann::json;

bool any_of(const std::string& s, std::initializer_list<const char*> words) {
  for (const char* w : words)
    if (s == w) return true;
  return false;
}

// Numbers by value: integral values as int64 (exactly, however they were spelled, 4 = 4.0),
// others as doubles; non-finite values as strings (JSON has no spelling for them).
Json number_json(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (std::floor(v) == v && std::fabs(v) < 9007199254740992.0) return static_cast<int64_t>(v);
  return v;
}

// Plain scalars read the way ptq's config reader reads them (config/scalars.h): decimal
// integers, decimal or scientific numbers, .inf/.nan, true/false, null; anything else, and
// every quoted scalar, is a string.
Json scalar_json(const YAML::Node& node) {
  const std::string& s = node.Scalar();
  if (node.Tag() == "!") return s;
  if (any_of(s, {"~", "null", "Null", "NULL", ""})) return nullptr;
  if (const auto b = config::detail::parse_bool(node)) return *b;
  if (const auto i = config::detail::parse_int(node)) return *i;
  if (const auto d = config::detail::parse_double(node)) return number_json(*d);
  return s;
}

}  // namespace

Json canonical_json(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return nullptr;
  if (node.IsScalar()) return scalar_json(node);
  if (node.IsSequence()) {
    Json out = Json::array();
    for (const auto& item : node) out.push_back(canonical_json(item));
    return out;
  }
  Json out = Json::object();  // std::map underneath: keys sorted
  for (const auto& kv : node) out[kv.first.Scalar()] = canonical_json(kv.second);
  return out;
}

Json run_identity(const std::string& name, const YAML::Node& resolved) {
  Json tree = canonical_json(resolved);
  if (tree.is_object()) {
    tree.erase("threads");
    tree.erase("output");
    for (const char* section : {"method", "train"})
      if (tree.contains(section) && tree[section].is_object()) tree[section].erase("progress");
    // Where data is kept (memory or spill files) never changes a result.
    auto drop = [&](const char* section, std::initializer_list<const char*> keys) {
      if (!tree.contains(section) || !tree[section].is_object()) return;
      for (const char* key : keys) tree[section].erase(key);
      if (tree[section].empty()) tree.erase(section);  // as if the section had never been written
    };
    drop("calibration", {"memory_mb", "spill_dir"});
    drop("method", {"cache"});
  }
  return {{"name", name}, {"config", tree}};
}

std::string run_hash(const std::string& name, const YAML::Node& resolved) {
  return sha256_hex("ptq-run-v1\n" + run_identity(name, resolved).dump());
}

std::string run_hash(const config::Config& cfg) { return run_hash(cfg.name(), cfg.root()); }

}  // namespace ptq
