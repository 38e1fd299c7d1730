#include "framework/config/merge.h"

#include "framework/core/check.h"

namespace ptq::config::detail {

namespace {

bool delete_requested(const YAML::Node& map) {
  const auto flag = find_child(map, kDeleteKey);
  return flag && flag->IsScalar() && flag->Scalar() == "true";
}

void check_flags_below(const YAML::Node& map, const KeyPath& at, const Origins& origins) {
  for (const auto& kv : map) {
    const KeyPath path = child_path(at, kv.first.Scalar());
    const YAML::Node& value = kv.second;
    if (kv.first.Scalar() == kDeleteKey) {
      const bool ok = value.IsScalar() && value.Tag() != "!" &&
                      (value.Scalar() == "true" || value.Scalar() == "false");
      if (!ok) {
        auto o = origins.find(path);
        PTQ_FAIL("{}: '{}' must be true or false", o == origins.end() ? dotted(path) : o->second.value_at,
                 dotted(path));
      }
    } else if (value.IsMap()) {
      check_flags_below(value, path, origins);
    }
  }
}

void merge_mapping(YAML::Node dst, const YAML::Node& src, const KeyPath& at, Origins& dst_origins,
                   const Origins& src_origins) {
  for (const auto& kv : src) {
    const std::string key = kv.first.Scalar();
    if (key == kDeleteKey) continue;
    const KeyPath path = child_path(at, key);
    const YAML::Node& value = kv.second;
    auto existing = find_child(dst, key);
    if (existing && existing->IsMap() && value.IsMap() && !delete_requested(value)) {
      merge_mapping(*existing, value, path, dst_origins, src_origins);
      auto o = src_origins.find(path);
      if (o != src_origins.end()) dst_origins[path] = o->second;
      continue;
    }
    erase_origins(dst_origins, path);
    copy_origins(src_origins, path, dst_origins);
    dst[key] = strip_delete_keys(value);
  }
}

}  // namespace

void check_delete_flags(Tree& tree) {
  check_flags_below(tree.root, {}, tree.origins);
  for (auto it = tree.origins.begin(); it != tree.origins.end();)
    it = it->first.back() == kDeleteKey ? tree.origins.erase(it) : std::next(it);
}

YAML::Node strip_delete_keys(const YAML::Node& node) {
  if (node.IsMap()) {
    YAML::Node out(YAML::NodeType::Map);
    for (const auto& kv : node) {
      if (kv.first.Scalar() == kDeleteKey) continue;
      out[kv.first.Scalar()] = strip_delete_keys(kv.second);
    }
    return out;
  }
  return YAML::Clone(node);
}

void deep_merge(Tree& dst, const Tree& src) {
  if (delete_requested(src.root)) {
    dst.root.reset(strip_delete_keys(src.root));
    dst.origins = src.origins;
    return;
  }
  merge_mapping(dst.root, src.root, {}, dst.origins, src.origins);
}

}  // namespace ptq::config::detail
