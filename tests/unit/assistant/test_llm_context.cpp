#include <catch2/catch.hpp>

#include <algorithm>

#include "assistant/lexicon.h"
#include "assistant/llm_context.h"
#include "assistant/time_scope.h"
#include "common/time/instant.h"
#include "common/time/time_zone.h"
#include "tests/unit/assistant/minute_entries.h"

using namespace imu2clip;
using namespace imu2clip::assistant;

TEST_CASE("LLM context keeps every line when it fits, merges ranges when it does not", "[assistant][context]") {
  const std::string tz = "UTC";
  int64_t day = parse_iso8601_utc_ms("2024-05-14T00:00:00Z");
  ScopeContext ctx{parse_iso8601_utc_ms("2024-05-14T23:00:00Z"), tz, 0, 0, {}};
  TimeScope scope = parse_time_scope(normalise_question_text("what did I do today?"), ctx);
  auto entries = test::minute_entries(1, day + 8 * 3600000LL, 120, {"walking"}, "imu");
  auto sitting = test::minute_entries(1, day + 10 * 3600000LL, 240, {"sitting"}, "imu");
  entries.insert(entries.end(), sitting.begin(), sitting.end());
  auto blip = test::minute_entries(1, day + 15 * 3600000LL, 1, {"standing"}, "imu");
  entries.insert(entries.end(), blip.begin(), blip.end());
  LogView view(entries, scope, 5 * 60000);

  auto full = build_log_context(view, tz, 100000);
  CHECK(!full.merged);
  CHECK(full.lines == 361);
  CHECK_THAT(full.text, Catch::Contains("[08:00] Motion: walking\n"));

  auto merged = build_log_context(view, tz, 200);
  CHECK(merged.merged);
  CHECK(!merged.truncated);
  CHECK(merged.lines == 3);
  CHECK_THAT(merged.text, Catch::Contains("[08:00-10:00] Motion: walking (120 min)"));
  CHECK_THAT(merged.note, Catch::Contains("361 log lines merged"));

  auto cut = build_log_context(view, tz, 100);
  CHECK(cut.truncated);
  CHECK_THAT(cut.text, Catch::Contains("sitting"));      // the longest range is kept
  CHECK_THAT(cut.text, !Catch::Contains("standing"));    // the one-minute blip goes first
  CHECK(cut.text.size() <= 100);
}

TEST_CASE("LLM context shows motion and audio of one minute on one line like the paper", "[assistant][context]") {
  const std::string tz = "UTC";
  int64_t day = parse_iso8601_utc_ms("2024-05-14T00:00:00Z");
  ScopeContext ctx{parse_iso8601_utc_ms("2024-05-14T23:00:00Z"), tz, 0, 0, {}};
  TimeScope scope = parse_time_scope(normalise_question_text("what did I do today?"), ctx);
  auto entries = test::minute_entries(1, day + 15 * 3600000LL + 45 * 60000LL, 3, {"walking"}, "imu");
  auto sounds = test::minute_entries(1, day + 15 * 3600000LL + 45 * 60000LL, 2, {"vacuum cleaner running"}, "audio");
  entries.insert(entries.end(), sounds.begin(), sounds.end());
  std::stable_sort(entries.begin(), entries.end(),
                   [](const LogEntry& a, const LogEntry& b) { return *a.t_utc_ms < *b.t_utc_ms; });
  LogView view(entries, scope, 5 * 60000);

  auto full = build_log_context(view, tz, 100000);
  CHECK(!full.merged);
  CHECK(full.lines == 3);
  CHECK(full.text ==
        "[15:45] Motion: walking, Audio: vacuum cleaner running\n"
        "[15:46] Motion: walking, Audio: vacuum cleaner running\n"
        "[15:47] Motion: walking\n");
  CHECK(full.note == "3 log lines");
  // over the budget: time ranges per label, as before
  auto merged = build_log_context(view, tz, 60);
  CHECK(merged.merged);
  CHECK_THAT(merged.text, Catch::Contains("[15:45-15:48] Motion: walking (3 min)"));
}
