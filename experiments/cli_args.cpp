#include "experiments/cli_args.h"

#include "framework/core/check.h"
#include "framework/core/strings.h"

namespace ptq::cli {

std::string Args::value(const std::string& name, const std::string& def) const {
  auto it = values.find(name);
  return it == values.end() || it->second.empty() ? def : it->second.back();
}

std::vector<std::string> Args::all(const std::string& name) const {
  auto it = values.find(name);
  return it == values.end() ? std::vector<std::string>{} : it->second;
}

Args parse_args(const std::string& command, const std::vector<std::string>& argv, const ArgSpec& spec) {
  Args a;
  std::vector<std::string> known;
  for (const auto& s : {spec.options, spec.repeatable, spec.flags})
    for (const auto& n : s) known.push_back("--" + n);
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      a.flags.insert("help");
      continue;
    }
    if (!starts_with(arg, "--")) {
      a.positional.push_back(arg);
      continue;
    }
    std::string name = arg.substr(2), value;
    bool has_value = false;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    }
    if (spec.flags.count(name)) {
      PTQ_CHECK(!has_value, "ptq {}: --{} takes no value", command, name);
      a.flags.insert(name);
      continue;
    }
    PTQ_CHECK(spec.options.count(name) || spec.repeatable.count(name), "ptq {}: unknown option '--{}'{}; see 'ptq {} --help'",
              command, name, did_you_mean("--" + name, known), command);
    if (!has_value) {
      PTQ_CHECK(i + 1 < argv.size(), "ptq {}: option --{} needs a value", command, name);
      value = argv[++i];
    }
    PTQ_CHECK(spec.repeatable.count(name) || !a.values.count(name), "ptq {}: option --{} given twice", command, name);
    a.values[name].push_back(value);
  }
  return a;
}

}  // namespace ptq::cli
