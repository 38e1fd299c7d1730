#include <catch2/catch.hpp>

#include "framework/core/strings.h"

using namespace ptq;

TEST_CASE("edit distance counts single edits", "[core]") {
  CHECK(edit_distance("", "") == 0);
  CHECK(edit_distance("iters", "iter") == 1);
  CHECK(edit_distance("kitten", "sitting") == 3);
  CHECK(edit_distance("alpah", "alpha") == 1);
}

TEST_CASE("did_you_mean suggests close names only", "[core]") {
  const std::vector<std::string> known{"adaround", "brecq", "qdrop"};
  CHECK(did_you_mean("brecg", known) == " (did you mean 'brecq'?)");
  CHECK(did_you_mean("completely-different", known).empty());
}

TEST_CASE("split and join round-trip", "[core]") {
  CHECK(join(split("a.b.c", '.'), ".") == "a.b.c");
  CHECK(split("a", '.').size() == 1);
  CHECK(trim("  x y \n") == "x y");
}
