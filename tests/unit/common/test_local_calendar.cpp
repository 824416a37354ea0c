#include <catch2/catch.hpp>

#include "common/error.h"
#include "common/time/local_calendar.h"
#include "tests/support/utc_instants.h"

using namespace imu2clip;
using imu2clip::test::kHourMs;
using imu2clip::test::utc_ms;

TEST_CASE("A day whose midnight does not exist starts at the DST jump", "[common][time]") {
  // Brazil, 2018-11-04: clocks went from 00:00 -03 straight to 01:00 -02.
  CHECK(day_start_utc_ms({2018, 11, 4}, "America/Sao_Paulo") == utc_ms(2018, 11, 4, 3, 0));
  CHECK_THROWS_AS(day_start_utc_ms({2024, 2, 30}, "UTC"), Error);
  CHECK_THROWS_AS(parse_local_date("2024/03/10"), Error);
  CHECK_THROWS_AS(day_start_utc_ms({2024, 3, 10}, "Nowhere/City"), Error);
}

TEST_CASE("Local dates parse from YYYY-MM-DD and step across months, years and leap days", "[common][time]") {
  CHECK(parse_local_date("2024-02-28") == LocalDate{2024, 2, 28});
  CHECK(parse_local_date(" 2024-02-28 ") == LocalDate{2024, 2, 28});
  CHECK(add_days({2024, 2, 28}, 1) == LocalDate{2024, 2, 29});
  CHECK(add_days({2023, 12, 31}, 1) == LocalDate{2024, 1, 1});
  CHECK(add_days({2024, 3, 1}, -1) == LocalDate{2024, 2, 29});
  CHECK(days_between({2024, 1, 1}, {2025, 1, 1}) == 366);
  CHECK(to_iso({2015, 8, 20}) == "2015-08-20");
  CHECK(weekday_index({2024, 3, 11}) == 0);  // a Monday
  CHECK(std::string(weekday_name(weekday_index({2024, 3, 10}))) == "Sunday");
  CHECK(LocalDate{2024, 1, 31} < LocalDate{2024, 2, 1});
  try {
    parse_local_date("2023-02-29", "date");
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.context().field == "date");
    CHECK_THAT(e.message(), Catch::Contains("2023-02-29"));
  }
  CHECK_THROWS_WITH(parse_local_date("10.03.2024"), Catch::Contains("YYYY-MM-DD"));
}

TEST_CASE("Instants map to the local date and minute of the user's zone", "[common][time]") {
  const std::string la = "America/Los_Angeles";
  CHECK(local_date_of(1710057600000, "UTC") == LocalDate{2024, 3, 10});
  CHECK(local_date_of(1710057600000, la) == LocalDate{2024, 3, 10});
  CHECK(local_date_of(utc_ms(2024, 3, 10, 8, 0) - 1, la) == LocalDate{2024, 3, 9});
  CHECK(local_minute_of(utc_ms(2024, 3, 10, 10, 30), la) == 3 * 60 + 30);  // 03:30 PDT
  // 02:30 was skipped that day: it maps to the jump.
  CHECK(local_time_utc_ms({2024, 3, 10}, 150, la) == utc_ms(2024, 3, 10, 10, 0));
  CHECK(day_end_utc_ms({2024, 3, 10}, la) - day_start_utc_ms({2024, 3, 10}, la) == 23 * kHourMs);
  CHECK_THROWS_WITH(local_date_of(0, "Mars/Base"), Catch::Contains("unknown time zone"));
}
