#include "framework/config/tree.h"

#include "framework/core/check.h"
#include "framework/core/strings.h"

#include <set>

namespace ptq::config::detail {

std::string dotted(const KeyPath& path) { return join(path, "."); }

KeyPath child_path(KeyPath path, const std::string& key) {
  path.push_back(key);
  return path;
}

KeyPath split_dotted(const std::string& dotted_key) {
  if (dotted_key.empty()) return {};
  return split(dotted_key, '.');
}

std::optional<YAML::Node> find_child(const YAML::Node& map, const std::string& key) {
  if (!map.IsMap()) return std::nullopt;
  for (const auto& kv : map) {
    if (kv.first.IsScalar() && kv.first.Scalar() == key) return kv.second;
  }
  return std::nullopt;
}

std::string mark_string(const std::string& file, const YAML::Mark& mark) {
  if (mark.is_null()) return file;
  return fmt::format("{}:{}:{}", file, mark.line + 1, mark.column + 1);
}

namespace {

bool has_prefix(const KeyPath& p, const KeyPath& prefix) {
  return p.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), p.begin());
}

}  // namespace

void erase_origins(Origins& origins, const KeyPath& path) {
  // Paths sharing a prefix are contiguous in lexicographic order, starting at the prefix.
  auto it = origins.lower_bound(path);
  while (it != origins.end() && has_prefix(it->first, path)) it = origins.erase(it);
}

void copy_origins(const Origins& from, const KeyPath& path, Origins& to) {
  for (auto it = from.lower_bound(path); it != from.end() && has_prefix(it->first, path); ++it)
    to[it->first] = it->second;
}

void record_file_origins(const YAML::Node& map, const KeyPath& at, const std::string& file,
                         Origins& origins) {
  std::map<std::string, std::string> seen;  // key -> where first written
  for (const auto& kv : map) {
    const YAML::Node& key = kv.first;
    const YAML::Node& value = kv.second;
    const std::string key_at = mark_string(file, key.Mark());
    PTQ_CHECK(key.IsScalar(), "{}: keys must be plain strings (under '{}')", key_at,
              at.empty() ? std::string("<top level>") : dotted(at));
    const KeyPath path = child_path(at, key.Scalar());
    auto [pos, inserted] = seen.emplace(key.Scalar(), key_at);
    PTQ_CHECK(inserted, "{}: duplicate key '{}' (first written at {})", key_at, dotted(path),
              pos->second);
    const YAML::Mark vm = value.Mark();
    origins[path] = Origin{key_at, vm.is_null() ? key_at : mark_string(file, vm)};
    if (value.IsMap()) record_file_origins(value, path, file, origins);
  }
}

void record_uniform_origins(const YAML::Node& node, const KeyPath& path, const std::string& where,
                            Origins& origins) {
  if (!path.empty()) origins[path] = Origin{where, where};
  if (!node.IsMap()) return;
  for (const auto& kv : node)
    record_uniform_origins(kv.second, child_path(path, kv.first.Scalar()), where, origins);
}

}  // namespace ptq::config::detail
