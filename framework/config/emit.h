// Internal to framework/config: writes a resolved tree back as YAML text.
//
// yaml-cpp's stock emitter drops the "was quoted" mark of scalars, so a string "8" would
// come back as the integer 8 and fail strict reading differently. This emitter keeps
// quoted scalars quoted and plain ones plain, so `Config::to_yaml()` reloads to the same
// tree. Mappings are written in block style, lists of scalars in flow style.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

namespace ptq::config::detail {

std::string emit_yaml(const YAML::Node& root);

}  // namespace ptq::config::detail
