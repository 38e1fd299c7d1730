#include <catch2/catch.hpp>

#include "framework/config/config.h"
#include "framework/method/method.h"

using namespace ptq;

TEST_CASE("methods: built-in plugins are registered by name", "[methods]") {
  register_builtin_methods();
  register_builtin_methods();  // idempotent
  const auto names = method_registry().names();
  for (const char* n : {"fp", "rtn"}) CHECK(std::find(names.begin(), names.end(), n) != names.end());
  const auto cfg = config::Config::from_string("method: {name: rtn}\n", "m.yaml");
  auto m = create_method("rtn", cfg.section("method"));
  CHECK(m->name() == "rtn");
  CHECK(m->quantizes());
  CHECK_FALSE(create_method("fp", cfg.section("method"))->quantizes());
}
