#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "services/server/log_listing.h"
#include "tests/support/utc_instants.h"

using namespace imu2clip;
using namespace imu2clip::server;
using imu2clip::test::utc_ms;

namespace {
LogEntry entry(int64_t t_ms, const std::string& modality, const std::string& text) {
  LogEntry e;
  e.t_utc_ms = t_ms;
  e.duration_ms = 60000;
  e.modality = modality;
  e.text = text;
  return e;
}
}  // namespace

TEST_CASE("GET /v1/logs keeps one object per entry and adds the merged lines", "[server][logs]") {
  const int64_t t = utc_ms(2024, 3, 10, 14, 45);
  const std::vector<LogEntry> entries = {entry(t, "imu", "walking"),
                                         entry(t + 15000, "audio", "vacuum cleaner running"),
                                         entry(t + 60000, "audio", "quiet")};
  const auto json = log_listing_json(entries, "Europe/Berlin", false);
  CHECK(json["tz"] == "Europe/Berlin");
  CHECK(json["truncated"] == false);
  // the per-entry fields, exactly as before
  REQUIRE(json["entries"].size() == 3);
  CHECK(json["entries"][1] == nlohmann::json{{"t", "2024-03-10T15:45:15+01:00"},
                                             {"t_utc_ms", t + 15000},
                                             {"duration_s", 60.0},
                                             {"modality", "audio"},
                                             {"text", "vacuum cleaner running"},
                                             {"line", "[15:45] Audio: vacuum cleaner running"}});
  // the lines people read: one per minute, Motion before Audio
  REQUIRE(json["lines"].size() == 2);
  CHECK(json["lines"][0] == nlohmann::json{{"t", "2024-03-10T15:45:00+01:00"},
                                           {"t_utc_ms", t},
                                           {"line", "[15:45] Motion: walking, Audio: vacuum cleaner running"}});
  CHECK(json["lines"][1]["line"] == "[15:46] Audio: quiet");
  const auto empty = log_listing_json({}, "UTC", true);
  CHECK(empty["entries"].empty());
  CHECK(empty["lines"].empty());
  CHECK(empty["truncated"] == true);
}
