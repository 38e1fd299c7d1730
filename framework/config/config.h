// ptq::config::Config — an experiment configuration loaded from YAML.
//
// Loading (Config::load):
//   * `_base_: path` or `_base_: [a, b]` at the top level names base files, relative to the
//     naming file's directory. Bases load recursively, merge in list order (later wins),
//     then the file itself is deep-merged on top. Cycles and missing bases are errors.
//   * Deep merge: mappings merge key by key; scalars and lists replace. A mapping holding
//     `_delete_: true` replaces the inherited mapping instead of merging into it.
//   * `version:` is optional (default 1); anything but 1 is rejected. It stays in the tree.
//   * Overrides "a.b.c=value" (the CLI's --set) are applied last; the value is YAML, it
//     replaces what was there, and missing intermediate mappings are created.
// Provenance: every key remembers where its winning value was written, as
// "path/to/file.yaml:LINE:COL" (1-based) or "--set a.b=v"; values inside lists are
// reported through the list's key. Errors quote these locations.
//
// Reading: objects read their options through Section (see section.h); every read is
// recorded, and check_all_used() afterwards rejects every key nobody read, with a
// did-you-mean drawn from the keys that were asked for in the same section.
//
// A Config is a value with shared internals: copies share the resolved tree (immutable)
// and the used-keys record; with_overrides() makes a new tree and a fresh record.
// All user mistakes throw ptq::UserError. Not thread-safe. YAML anchors/aliases work;
// the `<<` merge key is not supported by yaml-cpp 0.7 (it reads as an ordinary key).
#pragma once

#include "framework/config/section.h"

#include <yaml-cpp/yaml.h>

#include <memory>
#include <string>
#include <vector>

namespace ptq::config {

class Config {
 public:
  // An empty configuration (no keys, no file).
  Config();

  static Config load(const std::string& path, const std::vector<std::string>& overrides = {});
  // As load, for YAML text; `source_name` stands in for the file name in messages and as
  // the directory that relative `_base_` paths start from.
  static Config from_string(const std::string& yaml, const std::string& source_name,
                            const std::vector<std::string>& overrides = {});

  // A copy with more overrides applied (on top of those already applied), with a fresh
  // used-keys record: how named variants of one config are run.
  Config with_overrides(const std::vector<std::string>& overrides) const;

  // The fully resolved tree (`_base_` and `_delete_` removed, overrides applied). Shared by
  // all copies: read it, never modify it (YAML::Node handles do not enforce const).
  const YAML::Node& root() const;
  // Stem of the top file: "quickstart" for configs/quickstart.yaml.
  std::string name() const;
  // The top file as given to load(), or from_string's source_name.
  std::string path() const;
  // Every override applied so far, in order.
  const std::vector<std::string>& overrides() const { return overrides_; }
  // The config version (1; the only one supported).
  int version() const { return 1; }
  // The resolved tree as YAML; Config::from_string(to_yaml(), ...) gives the same tree.
  std::string to_yaml() const;

  // Where the value of a dotted key came from ("file.yaml:3:11" or "--set a.b=v"). A key
  // below a list reports the list; "" for keys not in the config.
  std::string source_of(const std::string& dotted_key) const;

  // The mapping at a dotted path ("" is the top level); see Section::section.
  Section section(const std::string& dotted) const;

  // Throws one UserError listing every key in the config that no read asked for, one per
  // line: "unknown key 'method.observr' (x.yaml:7:5); did you mean 'method.observer'?".
  // `version` is always known; free-form sections (Section::allow_any) are skipped.
  void check_all_used() const;
  // The lines check_all_used() would report (empty when every key was read).
  std::vector<std::string> unknown_keys() const;

 private:
  Config(std::shared_ptr<const detail::Tree> tree, std::vector<std::string> overrides);

  std::shared_ptr<const detail::Tree> tree_;
  std::shared_ptr<detail::Usage> usage_;
  std::vector<std::string> overrides_;
};

}  // namespace ptq::config
