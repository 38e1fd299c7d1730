// A small, strict command-line parser for the `ptq` subcommands: positional arguments,
// `--name value` / `--name=value` options (repeatable ones collect every value, e.g. --set),
// boolean flags. Unknown options are a user error with a did-you-mean.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

namespace ptq::cli {

struct ArgSpec {
  std::set<std::string> options;     // take a value
  std::set<std::string> repeatable;  // take a value, may repeat
  std::set<std::string> flags;       // no value
};

struct Args {
  std::vector<std::string> positional;
  std::map<std::string, std::vector<std::string>> values;
  std::set<std::string> flags;

  bool flag(const std::string& name) const { return flags.count(name) > 0; }
  std::string value(const std::string& name, const std::string& def = "") const;
  std::vector<std::string> all(const std::string& name) const;
};

// Parses argv[first..] for `command`; "--help"/"-h" always parse as the flag "help".
Args parse_args(const std::string& command, const std::vector<std::string>& argv, const ArgSpec& spec);

}  // namespace ptq::cli
