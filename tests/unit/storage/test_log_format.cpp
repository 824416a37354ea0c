#include <catch2/catch.hpp>

#include "common/error.h"
#include "storage/log_format.h"
#include "storage_test_util.h"

using namespace imu2clip;
using imu2clip::test::utc_ms;

TEST_CASE("Log lines read like the paper's: [15:50] Motion: sitting", "[storage][format]") {
  LogEntry e;
  e.t_utc_ms = utc_ms(2024, 6, 1, 13, 50, 59);
  e.modality = "imu";
  e.text = "sitting";
  CHECK(format_log_line(e, "Europe/Berlin") == "[15:50] Motion: sitting");
  CHECK(format_log_line(e, "America/Los_Angeles") == "[06:50] Motion: sitting");
  e.modality = "audio";
  e.text = "people talking";
  CHECK(format_log_line(e, "UTC") == "[13:50] Audio: people talking");
  CHECK_THROWS_AS(format_log_line(e, "Not/AZone"), Error);
}

TEST_CASE("Modalities get display names", "[storage][format]") {
  CHECK(modality_display_name("imu") == "Motion");
  CHECK(modality_display_name("audio") == "Audio");
  CHECK(modality_display_name("video") == "Video");
  CHECK(modality_display_name("note") == "Note");
  CHECK(modality_display_name("") == "");
}

TEST_CASE("Without a wall-clock start the line shows the time since the recording began", "[storage][format]") {
  LogEntry e;
  e.recording_id = 1;
  e.offset_ms = (3600 + 5 * 60 + 30) * 1000 + 999;
  e.modality = "imu";
  e.text = "walking";
  CHECK(format_log_line(e, "Europe/Berlin") == "[+01:05:30] Motion: walking");
  CHECK(format_relative_offset(0) == "+00:00:00");
  CHECK(format_relative_offset(int64_t{100} * 3600 * 1000) == "+100:00:00");
  // A wall-clock time wins when both are known.
  e.t_utc_ms = utc_ms(2024, 1, 1, 9, 0);
  CHECK(format_log_line(e, "UTC") == "[09:00] Motion: walking");
  LogEntry timeless;
  timeless.text = "x";
  CHECK_THROWS_AS(format_log_line(timeless, "UTC"), Error);
}

namespace {

LogEntry at(int64_t t_utc_ms, const std::string& modality, const std::string& text, int64_t duration_ms = 60000) {
  LogEntry e;
  e.t_utc_ms = t_utc_ms;
  e.duration_ms = duration_ms;
  e.modality = modality;
  e.text = text;
  return e;
}

std::vector<std::string> texts(const std::vector<MergedLogLine>& lines) {
  std::vector<std::string> out;
  for (const auto& l : lines) out.push_back(l.text);
  return out;
}

}  // namespace

TEST_CASE("Entries of several modalities that start in one minute share a line, Motion first", "[storage][format]") {
  const int64_t t = utc_ms(2024, 6, 1, 13, 45);
  // audio logged first within the minute: the line still reads Motion, then Audio, then others
  const std::vector<LogEntry> entries = {at(t + 5000, "audio", "vacuum cleaner running"),
                                         at(t + 20000, "imu", "walking"), at(t + 30000, "video", "a hallway", 10000),
                                         at(t + 60000, "imu", "standing", 120000)};
  const auto lines = merge_log_lines(entries, "Europe/Berlin");
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].text == "[15:45] Motion: walking, Audio: vacuum cleaner running, Video: a hallway");
  CHECK(lines[0].entries == std::vector<size_t>{0, 1, 2});
  REQUIRE(lines[0].t_utc_ms);
  CHECK(*lines[0].t_utc_ms == t + 5000);
  CHECK(lines[0].duration_ms == 20000 + 60000 - 5000);  // to the end of the walking minute
  CHECK(lines[1].text == "[15:46] Motion: standing");
  CHECK(lines[1].duration_ms == 120000);
  // one modality alone reads exactly like format_log_line
  CHECK(lines[1].text == format_log_line(entries[3], "Europe/Berlin"));
  CHECK(merge_log_lines({}, "UTC").empty());
}

TEST_CASE("Two texts of one modality in one minute keep their order, joined by then", "[storage][format]") {
  const int64_t t = utc_ms(2024, 6, 1, 9, 0);
  const auto lines = merge_log_lines({at(t, "imu", "walking", 20000), at(t + 20000, "audio", "street traffic"),
                                      at(t + 25000, "imu", "standing", 20000), at(t + 45000, "imu", "standing", 5000),
                                      at(t + 50000, "imu", "walking", 10000)},
                                     "UTC");
  // a repeat of the text just before adds nothing; a return to an earlier one is said again
  CHECK(texts(lines) ==
        std::vector<std::string>{"[09:00] Motion: walking then standing then walking, Audio: street traffic"});
  // labels logged at the same instant (an imported minute log) happen together, not in turn;
  // modalities other than motion and audio follow them
  const auto together = merge_log_lines({at(t, "context", "eating"), at(t, "context", "sitting"),
                                         at(t, "context", "at home"), at(t, "audio", "plates clattering")},
                                        "UTC");
  CHECK(texts(together) ==
        std::vector<std::string>{"[09:00] Audio: plates clattering, Context: eating and sitting and at home"});
}

TEST_CASE("Only the same displayed minute merges, not the same clock text on another day", "[storage][format]") {
  const int64_t t = utc_ms(2024, 6, 1, 9, 0);
  const int64_t day = 24LL * 3600 * 1000;
  CHECK(texts(merge_log_lines({at(t + 59000, "imu", "sitting"), at(t + 60000, "audio", "quiet")}, "UTC")) ==
        std::vector<std::string>{"[09:00] Motion: sitting", "[09:01] Audio: quiet"});
  CHECK(texts(merge_log_lines({at(t, "imu", "sitting"), at(t + day, "audio", "quiet")}, "UTC")) ==
        std::vector<std::string>{"[09:00] Motion: sitting", "[09:00] Audio: quiet"});
  // 2024-10-27 in Berlin: 02:30 happens twice, an hour apart
  const int64_t first = utc_ms(2024, 10, 27, 0, 30), second = utc_ms(2024, 10, 27, 1, 30);
  CHECK(texts(merge_log_lines({at(first, "imu", "sleeping"), at(second, "audio", "quiet")}, "Europe/Berlin")) ==
        std::vector<std::string>{"[02:30] Motion: sleeping", "[02:30] Audio: quiet"});
}

TEST_CASE("Entries without a wall-clock time merge on their displayed offset", "[storage][format]") {
  auto offset = [](int64_t ms, const std::string& modality, const std::string& text) {
    LogEntry e;
    e.recording_id = 1;
    e.offset_ms = ms;
    e.modality = modality;
    e.text = text;
    return e;
  };
  const auto lines = merge_log_lines(
      {offset(65000, "audio", "person speaking"), offset(65400, "imu", "sitting"), offset(66000, "imu", "standing")},
      "UTC");
  CHECK(texts(lines) == std::vector<std::string>{"[+00:01:05] Motion: sitting, Audio: person speaking",
                                                 "[+00:01:06] Motion: standing"});
  CHECK(!lines[0].t_utc_ms);
  REQUIRE(lines[0].offset_ms);
  CHECK(*lines[0].offset_ms == 65000);
  LogEntry timeless;
  timeless.text = "x";
  CHECK_THROWS_AS(merge_log_lines({timeless}, "UTC"), Error);
}
