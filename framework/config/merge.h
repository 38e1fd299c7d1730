// Internal to framework/config: deep merge of config trees, used for `_base_` inheritance.
//
// Rules: mappings merge key by key, recursively; scalars, sequences and mismatched types are
// replaced by the later tree. A mapping in the later tree that contains `_delete_: true`
// replaces the earlier mapping wholesale instead of merging into it. `_delete_` keys never
// survive into a merged tree. Origins follow the values: whatever the later tree replaces,
// its origins replace too; a merged mapping takes the later tree's origin.
#pragma once

#include "framework/config/tree.h"

#include <string>

namespace ptq::config::detail {

inline constexpr const char* kDeleteKey = "_delete_";

// Rejects `_delete_` values other than true/false (UserError naming the origin), then drops
// the origins of `_delete_` keys. Call on each parsed tree before merging.
void check_delete_flags(Tree& tree);

// A deep copy of `node` with every `_delete_` key removed from its mappings.
YAML::Node strip_delete_keys(const YAML::Node& node);

// Merges `src` on top of `dst`. `src` is only read; `dst` never shares nodes with it.
void deep_merge(Tree& dst, const Tree& src);

}  // namespace ptq::config::detail
