#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "common/error.h"
#include "common/time/local_calendar.h"
#include "common/time/time_zone.h"
#include "tests/support/test_paths.h"
#include "tests/support/utc_instants.h"

using namespace imu2clip;
using imu2clip::test::kHourMs;
using imu2clip::test::utc_ms;

TEST_CASE("IANA zone names are validated with a helpful error", "[common][time]") {
  for (const char* ok : {"UTC", "Europe/Berlin", "America/Los_Angeles", "Asia/Kolkata", "Etc/UTC"}) {
    INFO(ok);
    CHECK(is_valid_time_zone(ok));
    CHECK_NOTHROW(validate_time_zone(ok));
  }
  for (const char* bad : {"", "Mars/Olympus_Mons", "Europe", "../../etc/passwd", "PST8PDT,M3.2.0,M11.1.0"}) {
    INFO(bad);
    CHECK_FALSE(is_valid_time_zone(bad));
    try {
      validate_time_zone(bad);
      FAIL("expected an error");
    } catch (const Error& e) {
      CHECK(e.kind() == ErrorKind::InvalidInput);
      CHECK_THAT(e.what(), Catch::Contains("Europe/Berlin"));  // an example of a valid name
    }
  }
  CHECK_THROWS_WITH(validate_time_zone("europe/berlin"), Catch::Contains("did you mean 'Europe/Berlin'"));
  CHECK_THROWS_WITH(validate_time_zone("New York"), Catch::Contains("did you mean 'America/New_York'"));
}

TEST_CASE("The system zone comes from TZ, /etc/timezone, /etc/localtime, else UTC", "[common][time]") {
  auto dir = imu2clip::test::make_temp_dir("tz-detect");
  std::string tz_file = dir + "/timezone";
  std::string localtime = dir + "/localtime";
  std::string missing = dir + "/missing";
  std::ofstream(tz_file) << "America/New_York\n";
  std::filesystem::create_symlink("/usr/share/zoneinfo/Australia/Sydney", localtime);

  CHECK(detect_time_zone("Europe/Berlin", tz_file, localtime) == "Europe/Berlin");
  CHECK(detect_time_zone(":Europe/Paris", tz_file, localtime) == "Europe/Paris");
  CHECK(detect_time_zone("/usr/share/zoneinfo/Asia/Tokyo", tz_file, localtime) == "Asia/Tokyo");
  CHECK(detect_time_zone("Not/AZone", tz_file, localtime) == "America/New_York");
  CHECK(detect_time_zone(nullptr, tz_file, localtime) == "America/New_York");
  CHECK(detect_time_zone(nullptr, missing, localtime) == "Australia/Sydney");
  CHECK(detect_time_zone(nullptr, missing, missing) == "UTC");
  CHECK(is_valid_time_zone(system_time_zone()));
}

TEST_CASE("Los Angeles spring-forward day: 23 hours, times jump from 01:59 to 03:00", "[common][time]") {
  const std::string la = "America/Los_Angeles";
  int64_t jump = utc_ms(2024, 3, 10, 10, 0);  // 02:00 PST becomes 03:00 PDT
  CHECK(format_local_datetime(jump - 1000, la) == "2024-03-10 01:59:59");
  CHECK(format_local_datetime(jump, la) == "2024-03-10 03:00:00");
  CHECK(format_iso8601(jump - 1000, la) == "2024-03-10T01:59:59-08:00");
  CHECK(format_iso8601(jump, la) == "2024-03-10T03:00:00-07:00");
  CHECK(format_local_hhmm(jump, la) == "03:00");

  int64_t day = day_start_utc_ms({2024, 3, 10}, la);
  CHECK(day == utc_ms(2024, 3, 10, 8, 0));
  CHECK(day == 1710057600000);
  CHECK(day_start_utc_ms({2024, 3, 11}, la) - day == 23 * kHourMs);
}

TEST_CASE("Los Angeles fall-back day: 25 hours, 01:30 happens twice", "[common][time]") {
  const std::string la = "America/Los_Angeles";
  CHECK(format_iso8601(utc_ms(2024, 11, 3, 8, 30), la) == "2024-11-03T01:30:00-07:00");
  CHECK(format_iso8601(utc_ms(2024, 11, 3, 9, 30), la) == "2024-11-03T01:30:00-08:00");
  int64_t day = day_start_utc_ms(parse_local_date("2024-11-03"), la);
  CHECK(day == utc_ms(2024, 11, 3, 7, 0));
  CHECK(day_start_utc_ms(parse_local_date("2024-11-04"), la) - day == 25 * kHourMs);
}

TEST_CASE("Berlin switches to summer time at 02:00 CET on the last Sunday of March", "[common][time]") {
  const std::string berlin = "Europe/Berlin";
  int64_t jump = utc_ms(2024, 3, 31, 1, 0);
  CHECK(format_iso8601(jump - 1, berlin) == "2024-03-31T01:59:59.999+01:00");
  CHECK(format_iso8601(jump, berlin) == "2024-03-31T03:00:00+02:00");
  CHECK(format_local_hhmm(utc_ms(2024, 6, 1, 13, 50), berlin) == "15:50");
  CHECK(format_local_hhmm(utc_ms(2024, 1, 15, 13, 50), berlin) == "14:50");
  CHECK(day_end_utc_ms({2024, 10, 27}, berlin) - day_start_utc_ms({2024, 10, 27}, berlin) == 25 * kHourMs);
  CHECK(format_iso8601(0, "UTC") == "1970-01-01T00:00:00+00:00");
  CHECK(format_local_datetime(-1, "UTC") == "1969-12-31 23:59:59");  // floors, not truncates
}
