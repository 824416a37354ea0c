#include <catch2/catch.hpp>

#include <cmath>

#include "common/time/duration_format.h"

using namespace imu2clip;

TEST_CASE("Compact durations for terminals round to the second", "[common][time]") {
  CHECK(format_duration_compact(0) == "0s");
  CHECK(format_duration_compact(7.4) == "7s");
  CHECK(format_duration_compact(125) == "2m05s");
  CHECK(format_duration_compact(3723.4) == "1h02m03s");
  CHECK(format_duration_compact(100 * 3600) == "100h00m00s");
  CHECK(format_duration_compact(-1) == "?");
  CHECK(format_duration_compact(NAN) == "?");
}

TEST_CASE("Durations in words round to the minute", "[common][time]") {
  CHECK(format_duration_words(0) == "0 minutes");
  CHECK(format_duration_words(29'999) == "0 minutes");
  CHECK(format_duration_words(60'000) == "1 minute");
  CHECK(format_duration_words(3'600'000) == "1 hour");
  CHECK(format_duration_words(3'900'000) == "1 hour 5 minutes");
  CHECK(format_duration_words(2 * 3'600'000 + 60'000) == "2 hours 1 minute");
}
