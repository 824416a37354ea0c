#include <catch2/catch.hpp>

#include "common/error.h"
#include "common/time/instant.h"
#include "common/time/time_zone.h"
#include "tests/support/utc_instants.h"

using namespace imu2clip;
using imu2clip::test::utc_ms;

TEST_CASE("ISO-8601 instants with Z or an offset parse to UTC milliseconds", "[common][time]") {
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

TEST_CASE("Malformed or offset-less ISO-8601 text is rejected with the reason", "[common][time]") {
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

TEST_CASE("Offset-less times can be read as local time in a zone", "[common][time]") {
  const std::string la = "America/Los_Angeles";
  CHECK(parse_iso8601_utc_ms("2024-03-10T03:00:00", la) == utc_ms(2024, 3, 10, 10, 0));
  // Ambiguous 01:30 on the fall-back day: the first (PDT) one.
  CHECK(parse_iso8601_utc_ms("2024-11-03T01:30", la) == utc_ms(2024, 11, 3, 8, 30));
  // 02:30 on the spring-forward day never happened.
  CHECK_THROWS_WITH(parse_iso8601_utc_ms("2024-03-10T02:30:00", la), Catch::Contains("does not exist"));
  // An explicit offset wins over the zone.
  CHECK(parse_iso8601_utc_ms("2024-03-10T03:00:00Z", la) == utc_ms(2024, 3, 10, 3, 0));
}

TEST_CASE("A bare number is epoch time in the unit the caller's format documents", "[common][time]") {
  const int64_t expected = 1440115200000;  // 2015-08-21T00:00:00Z
  CHECK(parse_instant_utc_ms("1440115200000", EpochUnit::Milliseconds, std::nullopt, "start") == expected);
  CHECK(parse_instant_utc_ms(" 1440115200 ", EpochUnit::Seconds, std::nullopt, "t") == expected);
  CHECK(epoch_to_utc_ms(1440115200000.0, EpochUnit::Milliseconds, "start") == expected);
  CHECK(epoch_to_utc_ms(1440115200.25, EpochUnit::Seconds, "t") == expected + 250);
  CHECK(epoch_to_utc_ms(0, EpochUnit::Milliseconds, "start") == 0);
  CHECK(epoch_to_utc_ms(static_cast<double>(kMaxEpochMs), EpochUnit::Milliseconds, "start") == kMaxEpochMs);
}

TEST_CASE("ISO-8601 through the instant parser: offsets, and local time in the user's zone", "[common][time]") {
  const std::string la = "America/Los_Angeles";
  CHECK(parse_instant_utc_ms("2024-03-10T03:00:00", EpochUnit::Milliseconds, la, "as_of") ==
        utc_ms(2024, 3, 10, 10, 0));
  CHECK(parse_instant_utc_ms("2024-03-10T03:00:00+00:00", EpochUnit::Seconds, la, "t") == utc_ms(2024, 3, 10, 3, 0));
  CHECK_THROWS_WITH(parse_instant_utc_ms("2024-03-10T03:00:00", EpochUnit::Seconds, std::nullopt, "t"),
                    Catch::Contains("no UTC offset"));
}

TEST_CASE("Epoch numbers in the wrong unit or range are refused naming the field and value", "[common][time]") {
  auto error = [](auto&& parse) {
    try {
      parse();
    } catch (const Error& e) {
      CHECK(e.kind() == ErrorKind::InvalidInput);
      return e;
    }
    FAIL("expected an error");
    return Error(ErrorKind::Internal, "");
  };
  Error seconds_as_ms = error([] { epoch_to_utc_ms(1440115200000.0, EpochUnit::Seconds, "t"); });
  CHECK(seconds_as_ms.context().field == "t");
  CHECK_THAT(seconds_as_ms.message(), Catch::Contains("1440115200000") && Catch::Contains("looks like milliseconds"));

  Error past_9999 = error([] { parse_instant_utc_ms("999999999999999", EpochUnit::Milliseconds, std::nullopt, "from"); });
  CHECK(past_9999.context().field == "from");
  CHECK_THAT(past_9999.message(), Catch::Contains("999999999999999") && Catch::Contains("between 1970 and 9999"));

  CHECK_THAT(error([] { epoch_to_utc_ms(1.5, EpochUnit::Milliseconds, "start"); }).message(),
             Catch::Contains("1.5 is not whole epoch milliseconds"));
  CHECK_THAT(error([] { epoch_to_utc_ms(-1, EpochUnit::Seconds, "t"); }).message(), Catch::Contains("-1"));
  CHECK_THAT(error([] { parse_instant_utc_ms("  ", EpochUnit::Milliseconds, std::nullopt, "to"); }).message(),
             Catch::Contains("empty"));
  CHECK_THAT(error([] { parse_instant_utc_ms("12345678901234567", EpochUnit::Milliseconds, std::nullopt, "to"); })
                 .message(),
             Catch::Contains("too large"));
  Error bad_text = error([] { parse_instant_utc_ms("yesterday", EpochUnit::Milliseconds, "UTC", "--as-of"); });
  CHECK(bad_text.context().field == "--as-of");
  CHECK_THAT(bad_text.message(), Catch::Contains("'yesterday'"));
}

TEST_CASE("An unknown zone is reported as the zone's fault, not the time's", "[common][time]") {
  try {
    parse_instant_utc_ms("2024-03-10T03:00:00", EpochUnit::Milliseconds, "Mars/Base", "as_of");
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.context().field == "tz");
    CHECK_THAT(e.message(), Catch::Contains("Mars/Base"));
  }
}
