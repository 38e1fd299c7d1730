#include "framework/sweep/config_hash.h"

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

// A whole-string integer in base 10 (with sign), 0x hex or 0o octal.
bool parse_int(const std::string& s, long long& out) {
  if (s.empty()) return false;
  int base = 10;
  std::string digits = s;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o')) {
    base = s[1] == 'x' ? 16 : 8;
    digits = s.substr(2);
  } else if (s.find_first_not_of("+-0123456789") != std::string::npos) {
    return false;
  }
  errno = 0;
  char* end = nullptr;
  out = std::strtoll(digits.c_str(), &end, base);
  return errno == 0 && end && *end == '\0' && end != digits.c_str();
}

bool parse_number(const std::string& s, double& out) {
  if (any_of(s, {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"})) return out = INFINITY, true;
  if (any_of(s, {"-.inf", "-.Inf", "-.INF"})) return out = -INFINITY, true;
  if (any_of(s, {".nan", ".NaN", ".NAN"})) return out = NAN, true;
  if (s.empty() || s.find_first_not_of("+-.0123456789eE") != std::string::npos) return false;
  char* end = nullptr;
  out = std::strtod(s.c_str(), &end);
  return end && *end == '\0';
}

// Numbers by value: integral values within 2^53 as integers, others as doubles; non-finite
// values as strings (JSON has no spelling for them).
Json number_json(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (std::floor(v) == v && std::fabs(v) < 9007199254740992.0) return static_cast<long long>(v);
  return v;
}

Json scalar_json(const YAML::Node& node) {
  const std::string& s = node.Scalar();
  if (node.Tag() == "!") return s;  // quoted: a string, whatever it looks like
  if (any_of(s, {"~", "null", "Null", "NULL", ""})) return nullptr;
  if (any_of(s, {"true", "True", "TRUE"})) return true;
  if (any_of(s, {"false", "False", "FALSE"})) return false;
  long long i = 0;
  if (parse_int(s, i)) return number_json(static_cast<double>(i));
  double d = 0.0;
  if (parse_number(s, d)) return number_json(d);
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
    if (tree.contains("method") && tree["method"].is_object()) tree["method"].erase("progress");
  }
  return {{"name", name}, {"config", tree}};
}

std::string run_hash(const std::string& name, const YAML::Node& resolved) {
  return sha256_hex("ptq-run-v1\n" + run_identity(name, resolved).dump());
}

std::string run_hash(const config::Config& cfg) { return run_hash(cfg.name(), cfg.root()); }

}  // namespace ptq
