#include "framework/config/config.h"

#include "framework/config/emit.h"
#include "framework/config/loader.h"
#include "framework/config/overrides.h"
#include "framework/config/tree.h"
#include "framework/config/usage.h"
#include "framework/core/check.h"
#include "framework/core/strings.h"

#include <filesystem>

namespace ptq::config {

namespace {

std::shared_ptr<const detail::Tree> finish(detail::Tree tree, const std::string& source,
                                           const std::vector<std::string>& overrides) {
  tree.source = source;
  for (const auto& o : overrides) detail::apply_override(tree, o);
  detail::check_version(tree);
  return std::make_shared<const detail::Tree>(std::move(tree));
}

}  // namespace

Config::Config() : Config(std::make_shared<const detail::Tree>(), {}) {}

Config::Config(std::shared_ptr<const detail::Tree> tree, std::vector<std::string> overrides)
    : tree_(std::move(tree)), usage_(std::make_shared<detail::Usage>()), overrides_(std::move(overrides)) {}

Config Config::load(const std::string& path, const std::vector<std::string>& overrides) {
  return Config(finish(detail::load_file(path), path, overrides), overrides);
}

Config Config::from_string(const std::string& yaml, const std::string& source_name,
                           const std::vector<std::string>& overrides) {
  const std::string name = source_name.empty() ? std::string("<string>") : source_name;
  return Config(finish(detail::load_text(yaml, name), name, overrides), overrides);
}

Config Config::with_overrides(const std::vector<std::string>& overrides) const {
  detail::Tree copy;
  copy.root.reset(YAML::Clone(tree_->root));
  copy.origins = tree_->origins;
  std::vector<std::string> all = overrides_;
  all.insert(all.end(), overrides.begin(), overrides.end());
  return Config(finish(std::move(copy), tree_->source, overrides), all);
}

const YAML::Node& Config::root() const { return tree_->root; }

std::string Config::name() const { return std::filesystem::path(tree_->source).stem().string(); }

std::string Config::path() const { return tree_->source; }

std::string Config::to_yaml() const { return detail::emit_yaml(tree_->root); }

std::string Config::source_of(const std::string& dotted_key) const {
  const detail::KeyPath path = detail::split_dotted(dotted_key);
  // Walk down as far as mappings go; stop at a list, whose key stands for its contents.
  YAML::Node node = tree_->root;
  detail::KeyPath at;
  for (const auto& part : path) {
    if (node.IsSequence()) break;
    const auto next = detail::find_child(node, part);
    if (!next) return "";
    at.push_back(part);
    node.reset(*next);
  }
  auto it = tree_->origins.find(at);
  return it == tree_->origins.end() ? std::string() : it->second.value_at;
}

Section Config::section(const std::string& dotted) const {
  Section s(tree_, usage_, {}, tree_->root, true);
  for (const auto& part : detail::split_dotted(dotted)) s = s.section(part);
  return s;
}

std::vector<std::string> Config::unknown_keys() const { return detail::unknown_key_lines(*tree_, *usage_); }

void Config::check_all_used() const {
  const auto lines = unknown_keys();
  PTQ_CHECK(lines.empty(), "{}", join(lines, "\n"));
}

}  // namespace ptq::config
