// Internal to framework/config: the record of which keys the code has asked for.
//
// Every typed read through a Section notes its full key path as *known* (even when the key
// is absent and a default is used) and, when present, as *used*; opening a sub-section
// notes the section's path too. After all objects have read their options, any key in the
// tree that was never used is a mistake in the config (a typo, an option that does not
// exist), reported with a suggestion from the known keys of the same section. Paths marked
// free-form are skipped with everything below them.
#pragma once

#include "framework/config/tree.h"

#include <set>
#include <string>
#include <vector>

namespace ptq::config::detail {

struct Usage {
  std::set<KeyPath> known;
  std::set<KeyPath> used;
  std::set<KeyPath> free_form;

  void note(const KeyPath& path, bool present) {
    known.insert(path);
    if (present) used.insert(path);
  }
  bool is_free_form(const KeyPath& path) const;
};

// One line per unused key, in document order:
// "unknown key 'method.observr' (x.yaml:7:5); did you mean 'method.observer'?"
std::vector<std::string> unknown_key_lines(const Tree& tree, const Usage& usage);

}  // namespace ptq::config::detail
