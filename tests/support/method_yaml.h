// A method plugin built from a YAML snippet ("method:\n  name: ...\n  key: value"), with every
// key checked as `ptq run` checks it (unknown keys throw).
#pragma once

#include "framework/config/config.h"
#include "framework/method/method.h"

#include <memory>
#include <string>

namespace ptq::test {

inline std::unique_ptr<Method> method_from_yaml(const std::string& yaml) {
  register_builtin_methods();
  auto cfg = config::Config::from_string(yaml, "method.yaml");
  auto s = cfg.section("method");
  auto m = create_method(s.get_string("name"), s);
  cfg.check_all_used();
  return m;
}

}  // namespace ptq::test
