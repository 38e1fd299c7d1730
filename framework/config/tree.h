// Internal to framework/config: the resolved YAML tree plus its provenance record.
//
// A config is a YAML mapping assembled from several sources (base files, the file itself,
// --set overrides). yaml-cpp only keeps source positions on freshly parsed nodes, and loses
// them on every copy, so positions are captured once at parse time into `Origins`: a map
// from key path (one string per mapping level) to where that key and its value were
// written. Merging and overriding keep the map in step with the tree. Contents of
// sequences are not tracked; they are reported through their sequence's key.
//
// Key paths are vectors, not dotted strings, so keys that themselves contain '.' stay
// unambiguous; `dotted()` only renders them for messages.
#pragma once

#include <yaml-cpp/yaml.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ptq::config::detail {

using KeyPath = std::vector<std::string>;

struct Origin {
  std::string key_at;    // "file:LINE:COL" of the key, or "--set a.b=v"
  std::string value_at;  // "file:LINE:COL" of the value, or "--set a.b=v"
};

using Origins = std::map<KeyPath, Origin>;

struct Tree {
  YAML::Node root{YAML::NodeType::Map};
  Origins origins;
  std::string source;  // the top file as the user named it, for messages
};

std::string dotted(const KeyPath& path);
KeyPath child_path(KeyPath path, const std::string& key);
// "a.b.c" -> {"a","b","c"}; "" -> {}.
KeyPath split_dotted(const std::string& dotted_key);

// The value stored under `key` in mapping `map`; nullopt when absent or `map` is no mapping.
std::optional<YAML::Node> find_child(const YAML::Node& map, const std::string& key);

// "file:LINE:COL" with 1-based numbers; just "file" for a null mark.
std::string mark_string(const std::string& file, const YAML::Mark& mark);

// Origins of `path` and everything below it.
void erase_origins(Origins& origins, const KeyPath& path);
void copy_origins(const Origins& from, const KeyPath& path, Origins& to);

// Records the origin of every mapping key in `map` (recursively, not into sequences) as
// written in `file`. Rejects non-scalar and duplicate keys with a UserError.
void record_file_origins(const YAML::Node& map, const KeyPath& at, const std::string& file,
                         Origins& origins);

// Records `where` as the origin of `path` and of every mapping key below `node`.
void record_uniform_origins(const YAML::Node& node, const KeyPath& path, const std::string& where,
                            Origins& origins);

}  // namespace ptq::config::detail
