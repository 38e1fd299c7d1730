// Internal to framework/config: strict conversion of YAML scalars, and how values are shown
// in error messages.
//
// yaml-cpp's own conversions are lenient (quoted "8" reads as an int, "yes" as a bool,
// trailing junk is sometimes accepted). Config reading is deliberately strict so that a
// typo fails loudly instead of silently changing an experiment:
//   * integers: plain decimal, optional sign; 1.5, 1e3, "8" (quoted) are rejected;
//   * numbers:  plain decimal or scientific notation, ints included, YAML's .inf/.nan;
//   * booleans: plain `true` / `false` only.
// Each parser returns nullopt on anything else; the caller builds the message.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <string>

namespace ptq::config::detail {

std::optional<int64_t> parse_int(const YAML::Node& node);
std::optional<double> parse_double(const YAML::Node& node);
std::optional<bool> parse_bool(const YAML::Node& node);
// Any scalar (numbers and booleans read as their text); nullopt for null, lists, mappings.
std::optional<std::string> parse_string(const YAML::Node& node);

// How a value appears after "got": 1, 0.5, true, "20k", null, a list, a mapping.
std::string describe_value(const YAML::Node& node);

}  // namespace ptq::config::detail
