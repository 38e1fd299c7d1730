#include "framework/config/usage.h"

#include "framework/core/strings.h"

namespace ptq::config::detail {

bool Usage::is_free_form(const KeyPath& path) const {
  KeyPath prefix;
  if (free_form.count(prefix)) return true;
  for (const auto& part : path) {
    prefix.push_back(part);
    if (free_form.count(prefix)) return true;
  }
  return false;
}

namespace {

std::string suggestion(const KeyPath& path, const Usage& usage) {
  const KeyPath parent(path.begin(), path.end() - 1);
  std::vector<std::string> siblings;
  for (const auto& k : usage.known) {
    if (k.size() == path.size() && k != path && std::equal(parent.begin(), parent.end(), k.begin()))
      siblings.push_back(k.back());
  }
  const std::string match = closest_match(path.back(), siblings);
  return match.empty() ? std::string() : "; did you mean '" + dotted(child_path(parent, match)) + "'?";
}

void walk(const YAML::Node& map, const KeyPath& at, const Tree& tree, const Usage& usage,
          std::vector<std::string>& lines) {
  for (const auto& kv : map) {
    const KeyPath path = child_path(at, kv.first.Scalar());
    if (path == KeyPath{"version"} || usage.is_free_form(path)) continue;
    if (!usage.used.count(path)) {
      auto o = tree.origins.find(path);
      const std::string where = o == tree.origins.end() ? std::string() : " (" + o->second.key_at + ")";
      lines.push_back("unknown key '" + dotted(path) + "'" + where + suggestion(path, usage));
      continue;
    }
    if (kv.second.IsMap()) walk(kv.second, path, tree, usage, lines);
  }
}

}  // namespace

std::vector<std::string> unknown_key_lines(const Tree& tree, const Usage& usage) {
  std::vector<std::string> lines;
  if (!usage.is_free_form({})) walk(tree.root, {}, tree, usage, lines);
  return lines;
}

}  // namespace ptq::config::detail
