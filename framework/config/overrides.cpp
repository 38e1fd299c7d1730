#include "framework/config/overrides.h"

#include "framework/config/merge.h"
#include "framework/config/scalars.h"
#include "framework/core/check.h"
#include "framework/core/strings.h"

namespace ptq::config::detail {

namespace {

constexpr const char* kForm = "expected the form key.path=value, e.g. quant.w_bits=4";

YAML::Node parse_value(const std::string& text, const std::string& value) {
  YAML::Node node;
  try {
    node = YAML::Load(value);
  } catch (const YAML::Exception& e) {
    PTQ_FAIL("bad override '{}': invalid YAML value: {}", text, e.msg);
  }
  if (node.IsMap()) {
    Origins scratch;  // validates keys (scalar, no duplicates) the same way files are checked
    try {
      record_file_origins(node, {}, "value", scratch);
    } catch (const UserError& e) {
      PTQ_FAIL("bad override '{}': {}", text, e.what());
    }
  }
  return strip_delete_keys(node);
}

}  // namespace

void apply_override(Tree& tree, const std::string& text) {
  const size_t eq = text.find('=');
  PTQ_CHECK(eq != std::string::npos, "bad override '{}': no '=' found; {}", text, kForm);
  const std::string key = trim(text.substr(0, eq));
  const std::string value = text.substr(eq + 1);
  PTQ_CHECK(!key.empty(), "bad override '{}': empty key; {}", text, kForm);
  const KeyPath path = split_dotted(key);
  for (const auto& part : path)
    PTQ_CHECK(!part.empty() && trim(part) == part, "bad override '{}': malformed key '{}'; {}", text, key, kForm);
  PTQ_CHECK(path.front() != "_base_" && path.back() != "_delete_",
            "bad override '{}': '_base_' and '_delete_' can only be used in config files", text);
  PTQ_CHECK(!trim(value).empty(), "bad override '{}': empty value; write {}='' for an empty string", text, key);

  const std::string where = "--set " + text;
  YAML::Node node = parse_value(text, value);

  YAML::Node map = tree.root;
  KeyPath at;
  for (size_t i = 0; i + 1 < path.size(); ++i) {
    at.push_back(path[i]);
    const auto existing = find_child(map, path[i]);
    if (existing && !existing->IsNull() && !existing->IsMap()) {
      auto o = tree.origins.find(at);
      PTQ_FAIL("bad override '{}': '{}' is {} ({}), not a mapping, so '{}' cannot be set below it", text,
               dotted(at), describe_value(*existing), o == tree.origins.end() ? "?" : o->second.value_at,
               dotted(path));
    }
    if (!existing || existing->IsNull()) {
      map[path[i]] = YAML::Node(YAML::NodeType::Map);
      erase_origins(tree.origins, at);
      tree.origins[at] = Origin{where, where};
    }
    // Rebind the handle with reset(): Node::operator= would overwrite the node it refers to.
    map.reset(*find_child(map, path[i]));
  }
  erase_origins(tree.origins, path);
  map[path.back()] = node;
  record_uniform_origins(node, path, where, tree.origins);
}

}  // namespace ptq::config::detail
