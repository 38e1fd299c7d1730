#include <catch2/catch.hpp>

#include "framework/quant/grouping.h"

using namespace ptq;

TEST_CASE("grouping round-trips for every granularity", "[quant]") {
  auto x = torch::randn({6, 5, 3, 3});
  QuantSpec s;
  SECTION("tensor") { s.granularity = Granularity::Tensor; }
  SECTION("channel axis 0") { s.granularity = Granularity::Channel; }
  SECTION("channel axis 1") {
    s.granularity = Granularity::Channel;
    s.axis = 1;
  }
  SECTION("group dividing K") {
    s.granularity = Granularity::Group;
    s.axis = 1;
    s.group_size = 9;
  }
  SECTION("group with a partial last group") {
    s.granularity = Granularity::Group;
    s.axis = 1;
    s.group_size = 16;
  }
  const auto l = group_layout(s, x.sizes());
  auto g = to_groups(x, l);
  CHECK(g.dim() == 3);
  CHECK(g.size(0) == l.rows);
  CHECK(g.size(1) == l.groups);
  CHECK(torch::equal(from_groups(g, l), x));
}

TEST_CASE("group layout of a weight groups along the flattened input dims", "[quant]") {
  QuantSpec s;
  s.granularity = Granularity::Group;
  s.axis = 1;
  s.group_size = 16;
  const auto l = group_layout(s, {8, 5, 3, 3});  // K = 45 -> 3 groups, 3 padding
  CHECK(l.rows == 8);
  CHECK(l.groups == 3);
  CHECK(l.padding == 3);
  auto g = to_groups(torch::zeros({8, 5, 3, 3}), l);
  CHECK(torch::isnan(g).sum().item<int64_t>() == 8 * 3);
}

TEST_CASE("channel axis beyond the tensor's rank is a user error", "[quant]") {
  QuantSpec s;
  s.granularity = Granularity::Channel;
  s.axis = 2;
  REQUIRE_THROWS_WITH(group_layout(s, {4, 4}), Catch::Contains("per-channel quantisation along axis 2") &&
                                                   Catch::Contains("4x4"));
}
