// Internal to framework/config: applies one command-line override `key.path=value`.
//
// The value is parsed as YAML (8, 0.5, true, [1, 2], {x: 1}, "text") and *replaces*
// whatever the key held; an override never merges into a mapping. Missing intermediate
// mappings (and empty `key:` entries) are created; a scalar or list on the way is an error
// naming the key. The override's text (`--set key.path=value`) becomes the origin of
// everything it wrote.
#pragma once

#include "framework/config/tree.h"

#include <string>

namespace ptq::config::detail {

void apply_override(Tree& tree, const std::string& text);

}  // namespace ptq::config::detail
