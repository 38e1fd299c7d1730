#include <catch2/catch.hpp>

#include "framework/core/registry.h"

using namespace ptq;

TEST_CASE("registry lists names and rejects unknown ones with suggestions", "[core]") {
  Registry<std::function<int()>> reg("widget");
  reg.add("alpha", "first", [] { return 1; });
  reg.add("beta", "second", [] { return 2; });
  CHECK(reg.get("beta").factory() == 2);
  CHECK(reg.names() == std::vector<std::string>{"alpha", "beta"});
  REQUIRE_THROWS_WITH(reg.get("alpah"), Catch::Contains("unknown widget 'alpah'") &&
                                            Catch::Contains("did you mean 'alpha'") &&
                                            Catch::Contains("known: alpha, beta"));
  REQUIRE_THROWS_AS(reg.add("alpha", "dup", [] { return 3; }), InternalError);
}
