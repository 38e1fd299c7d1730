// Internal to framework/config: reads config files and resolves `_base_` inheritance.
//
// A file is parsed, checked (one YAML document, a mapping at the top, no duplicate keys,
// `version` 1 if given, `_delete_` flags true/false), its origins recorded, and its
// `_base_` entries (a path or a list of paths, relative to the file's own directory)
// loaded recursively and merged in order, the file itself last. `display` is the path as
// shown in messages and provenance: the user's spelling for the top file, the referrer's
// directory joined with the `_base_` entry for bases. Cycles are detected on canonical
// paths and reported as the chain of files.
#pragma once

#include "framework/config/tree.h"

#include <string>

namespace ptq::config::detail {

inline constexpr int kSupportedVersion = 1;

// Fails unless `version` in `tree.root` is absent or 1.
void check_version(const Tree& tree);

// Loads `path` (shown as `path` in messages) with all its bases merged in.
Tree load_file(const std::string& path);

// As load_file, for text that did not come from disk; `source_name` stands in for the
// file name, and relative `_base_` paths are resolved from its directory.
Tree load_text(const std::string& yaml, const std::string& source_name);

}  // namespace ptq::config::detail
