#include <catch2/catch.hpp>

#include "assistant/intervals.h"

using namespace imu2clip::assistant;

TEST_CASE("interval algebra", "[assistant][intervals]") {
  Intervals a = normalise({{10, 20}, {0, 5}, {18, 30}, {40, 40}});
  REQUIRE(a.size() == 2);
  CHECK(a[0].from == 0);
  CHECK(a[1].to == 30);
  Intervals b = {{3, 12}, {25, 50}};
  CHECK(total_length(intersect(a, b)) == 2 + 2 + 5);
  CHECK(total_length(subtract(a, b)) == 3 + 13);
  CHECK(total_length(unite(a, b)) == 50);
  CHECK(bridge_gaps({{0, 10}, {12, 20}, {40, 50}}, 5).size() == 2);
}
