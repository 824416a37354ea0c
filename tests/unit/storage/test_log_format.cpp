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
