#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "common/time/local_calendar.h"
#include "services/server/timeline.h"

using namespace imu2clip;
using namespace imu2clip::server;

namespace {
LogEntry entry(int64_t t_ms, int64_t duration_ms, const std::string& text, const std::string& modality = "imu") {
  LogEntry e;
  e.t_utc_ms = t_ms;
  e.duration_ms = duration_ms;
  e.text = text;
  e.modality = modality;
  return e;
}
constexpr int64_t kMin = 60000;
}  // namespace

TEST_CASE("consecutive minute lines with one label merge into one bar", "[server][timeline]") {
  const int64_t day = day_start_utc_ms({2024, 3, 10}, "UTC");
  std::vector<LogEntry> entries;
  for (int m = 0; m < 30; ++m) {
    entries.push_back(entry(day + (600 + m) * kMin, kMin, "sitting", "context"));
    entries.push_back(entry(day + (600 + m) * kMin, kMin, "at home", "context"));
  }
  entries.push_back(entry(day + 700 * kMin, 5 * kMin, "sitting", "context"));  // after a gap: a new bar
  LogEntry no_time = entry(0, kMin, "walking");
  no_time.t_utc_ms.reset();
  entries.push_back(no_time);

  const auto bars = build_timeline(entries, day, day + 24 * 60 * kMin);
  REQUIRE(bars.size() == 3);
  CHECK(bars[0].label == "at home");
  CHECK(bars[1].label == "sitting");
  CHECK(bars[1].start_utc_ms == day + 600 * kMin);
  CHECK(bars[1].end_utc_ms == day + 630 * kMin);
  CHECK(bars[2].start_utc_ms == day + 700 * kMin);

  const auto json = timeline_json("2024-03-10", "UTC", day, bars);
  CHECK(json["segments"][1]["start_min"] == Approx(600.0));
  CHECK(json["segments"][1]["end_min"] == Approx(630.0));
  CHECK(json["segments"][1]["start"] == "2024-03-10T10:00:00+00:00");
}

TEST_CASE("bars are clipped to the local day which may be 23 hours long", "[server][timeline]") {
  // 2024-03-31 in Berlin: clocks jump from 02:00 to 03:00.
  const int64_t day = day_start_utc_ms({2024, 3, 31}, "Europe/Berlin");
  const int64_t next = day_end_utc_ms({2024, 3, 31}, "Europe/Berlin");
  CHECK(next - day == 23 * 60 * kMin);
  const std::vector<LogEntry> entries = {entry(day - 30 * kMin, 60 * kMin, "sleeping"),
                                         entry(next - 10 * kMin, 60 * kMin, "reading"),
                                         entry(next + 10 * kMin, 60 * kMin, "tomorrow")};
  const auto bars = build_timeline(entries, day, next);
  REQUIRE(bars.size() == 2);
  CHECK(bars[0].start_utc_ms == day);
  CHECK(bars[0].end_utc_ms == day + 30 * kMin);
  CHECK(bars[1].end_utc_ms == next);
  CHECK(timeline_json("2024-03-31", "Europe/Berlin", day, bars)["segments"][1]["end_min"] == Approx(23 * 60.0));
}
