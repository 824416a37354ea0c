#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "common/error.h"
#include "storage/time_zone.h"
#include "storage_test_util.h"
#include "tests/support/test_paths.h"

using namespace imu2clip;
using imu2clip::test::kHourMs;
using imu2clip::test::utc_ms;

TEST_CASE("IANA zone names are validated with a helpful error", "[storage][tz]") {
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

TEST_CASE("The system zone comes from TZ, /etc/timezone, /etc/localtime, else UTC", "[storage][tz]") {
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

TEST_CASE("Los Angeles spring-forward day: 23 hours, times jump from 01:59 to 03:00", "[storage][tz]") {
  const std::string la = "America/Los_Angeles";
  int64_t jump = utc_ms(2024, 3, 10, 10, 0);  // 02:00 PST becomes 03:00 PDT
  CHECK(format_local_datetime(jump - 1000, la) == "2024-03-10 01:59:59");
  CHECK(format_local_datetime(jump, la) == "2024-03-10 03:00:00");
  CHECK(format_iso8601(jump - 1000, la) == "2024-03-10T01:59:59-08:00");
  CHECK(format_iso8601(jump, la) == "2024-03-10T03:00:00-07:00");
  CHECK(format_local_hhmm(jump, la) == "03:00");

  int64_t day = local_midnight_utc_ms(2024, 3, 10, la);
  CHECK(day == utc_ms(2024, 3, 10, 8, 0));
  CHECK(day == 1710057600000);
  CHECK(local_midnight_utc_ms(2024, 3, 11, la) - day == 23 * kHourMs);
}

TEST_CASE("Los Angeles fall-back day: 25 hours, 01:30 happens twice", "[storage][tz]") {
  const std::string la = "America/Los_Angeles";
  CHECK(format_iso8601(utc_ms(2024, 11, 3, 8, 30), la) == "2024-11-03T01:30:00-07:00");
  CHECK(format_iso8601(utc_ms(2024, 11, 3, 9, 30), la) == "2024-11-03T01:30:00-08:00");
  int64_t day = local_midnight_utc_ms("2024-11-03", la);
  CHECK(day == utc_ms(2024, 11, 3, 7, 0));
  CHECK(local_midnight_utc_ms("2024-11-04", la) - day == 25 * kHourMs);
}

TEST_CASE("Berlin switches to summer time at 02:00 CET on the last Sunday of March", "[storage][tz]") {
  const std::string berlin = "Europe/Berlin";
  int64_t jump = utc_ms(2024, 3, 31, 1, 0);
  CHECK(format_iso8601(jump - 1, berlin) == "2024-03-31T01:59:59.999+01:00");
  CHECK(format_iso8601(jump, berlin) == "2024-03-31T03:00:00+02:00");
  CHECK(format_local_hhmm(utc_ms(2024, 6, 1, 13, 50), berlin) == "15:50");
  CHECK(format_local_hhmm(utc_ms(2024, 1, 15, 13, 50), berlin) == "14:50");
  CHECK(local_midnight_utc_ms(2024, 10, 28, berlin) - local_midnight_utc_ms(2024, 10, 27, berlin) == 25 * kHourMs);
  CHECK(format_iso8601(0, "UTC") == "1970-01-01T00:00:00+00:00");
  CHECK(format_local_datetime(-1, "UTC") == "1969-12-31 23:59:59");  // floors, not truncates
}

TEST_CASE("A day whose midnight does not exist starts at the DST jump", "[storage][tz]") {
  // Brazil, 2018-11-04: clocks went from 00:00 -03 straight to 01:00 -02.
  CHECK(local_midnight_utc_ms(2018, 11, 4, "America/Sao_Paulo") == utc_ms(2018, 11, 4, 3, 0));
  CHECK_THROWS_AS(local_midnight_utc_ms(2024, 2, 30, "UTC"), Error);
  CHECK_THROWS_AS(local_midnight_utc_ms("2024/03/10", "UTC"), Error);
  CHECK_THROWS_AS(local_midnight_utc_ms("2024-03-10", "Nowhere/City"), Error);
}

TEST_CASE("ISO-8601 instants with Z or an offset parse to UTC milliseconds", "[storage][tz]") {
  const int64_t expected = 1710082200000;  // 2024-03-10T14:50:00Z
  CHECK(parse_iso8601_utc_ms("2024-03-10T14:50:00Z") == expected);
  CHECK(parse_iso8601_utc_ms("2024-03-10T15:50:00+01:00") == expected);
  CHECK(parse_iso8601_utc_ms("2024-03-10T15:50:00+0100") == expected);
  CHECK(parse_iso8601_utc_ms("2024-03-10T15:50+01") == expected);
  CHECK(parse_iso8601_utc_ms("2024-03-10 07:50:00-07:00") == expected);
  CHECK(parse_iso8601_utc_ms("  2024-03-10t14:50z ") == expected);
  CHECK(parse_iso8601_utc_ms("2024-03-10T14:50:00.5Z") == expected + 500);
  CHECK(parse_iso8601_utc_ms("2024-03-10T14:50:00.123456Z") == expected + 123);
  CHECK(parse_iso8601_utc_ms("1969-12-31T23:59:59Z") == -1000);
  int64_t with_ms = expected + 42;
  CHECK(parse_iso8601_utc_ms(format_iso8601(with_ms, "Asia/Kolkata")) == with_ms);
}

TEST_CASE("Malformed or offset-less ISO-8601 text is rejected with the reason", "[storage][tz]") {
  auto reason = [](const std::string& text) {
    try {
      parse_iso8601_utc_ms(text);
    } catch (const Error& e) {
      CHECK(e.kind() == ErrorKind::InvalidInput);
      return std::string(e.what());
    }
    return std::string("parsed");
  };
  CHECK_THAT(reason("2024-03-10T14:50:00"), Catch::Contains("no UTC offset"));
  CHECK_THAT(reason("2024-02-30T00:00Z"), Catch::Contains("no such date"));
  CHECK_THAT(reason("2024-03-10T24:00Z"), Catch::Contains("out of range"));
  CHECK_THAT(reason("2024-03-10"), Catch::Contains("a time"));
  CHECK_THAT(reason("yesterday"), Catch::Contains("YYYY-MM-DD"));
  CHECK_THAT(reason("2024-03-10T14:50:00+01:00 extra"), Catch::Contains("unexpected text"));
  CHECK_THAT(reason("2024-03-10T14:50:00+25:00"), Catch::Contains("out of range"));
}

TEST_CASE("Offset-less times can be read as local time in a zone", "[storage][tz]") {
  const std::string la = "America/Los_Angeles";
  CHECK(parse_iso8601_utc_ms("2024-03-10T03:00:00", la) == utc_ms(2024, 3, 10, 10, 0));
  // Ambiguous 01:30 on the fall-back day: the first (PDT) one.
  CHECK(parse_iso8601_utc_ms("2024-11-03T01:30", la) == utc_ms(2024, 11, 3, 8, 30));
  // 02:30 on the spring-forward day never happened.
  CHECK_THROWS_WITH(parse_iso8601_utc_ms("2024-03-10T02:30:00", la), Catch::Contains("does not exist"));
  // An explicit offset wins over the zone.
  CHECK(parse_iso8601_utc_ms("2024-03-10T03:00:00Z", la) == utc_ms(2024, 3, 10, 3, 0));
}
