// The server's retention schedule over a real SQLite file, on a clock the test moves by hand:
// a pass at start, the next ones as the clock passes each interval, and afterwards the assistant
// still answers from the log lines that were kept.
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>
#include <vector>

#include "assistant/assistant.h"
#include "common/error.h"
#include "services/server/retention_schedule.h"
#include "storage/store_pool.h"
#include "tests/support/manual_clock.h"
#include "tests/support/test_paths.h"
#include "tests/support/utc_instants.h"

using namespace imu2clip;
using imu2clip::test::utc_ms;

namespace {

constexpr int64_t kDayMs = 24 * imu2clip::test::kHourMs;

// A 30-minute walk at `start`: a window every 5 s, one segment and one log line per minute.
int64_t walk(LogStore& store, int64_t user_id, int64_t start) {
  RecordingRow r;
  r.user_id = user_id;
  r.source_key = "walk";
  r.source_path = "/data/walk.csv";
  r.start_utc_ms = start;
  r.tz = "UTC";
  r.duration_s = 1800;
  r.model_id = "imu2clip-v1";
  const int64_t id = store.recordings().create(r);
  std::vector<WindowTag> windows;
  for (int s = 0; s < 1800; s += 5) {
    WindowTag w;
    w.start_s = s;
    w.end_s = s + 5;
    w.labels = {{"walking", 0.9f}};
    windows.push_back(w);
  }
  store.recordings().append_windows(id, windows, 1800);
  std::vector<Segment> segments;
  std::vector<LogEntry> lines;
  for (int s = 0; s < 1800; s += 60) {
    segments.push_back({double(s), double(s + 60), "walking", 0.9f, 12, "imu"});
    LogEntry e;
    e.offset_ms = s * 1000LL;
    e.duration_ms = 60000;
    e.text = "walking";
    lines.push_back(e);
  }
  store.recordings().complete(id, segments, lines);
  return id;
}

// Waits (generously: the pass runs on another thread of a loaded machine) for `passes` passes.
server::RetentionStatus wait_for_passes(const server::RetentionSchedule& schedule, int64_t passes) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (schedule.status().passes < passes && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return schedule.status();
}

}  // namespace

TEST_CASE("The retention schedule runs at start and every interval on the injected clock",
          "[server][retention]") {
  const std::string db = test::make_temp_dir("retention_schedule") + "/log.db";
  const int64_t now = utc_ms(2026, 11, 26, 12);
  const int64_t walk_start = utc_ms(2026, 11, 21, 9);  // 5 days before `now`
  auto stores = std::make_shared<StorePool>(db);
  int64_t user = 0;
  {
    auto store = stores->borrow();
    user = store->users().ensure("ana", "UTC");
    walk(*store, user, walk_start);
  }
  const auto count = [&](const std::string& table) { return stores->borrow()->count(table); };
  auto clock = std::make_shared<test::ManualClock>(now);
  server::RetentionSchedule schedule(stores, {7, 3600 * 1000}, clock);

  // At start: the walk is 5 days old, inside the 7 days kept.
  auto status = wait_for_passes(schedule, 1);
  REQUIRE(status.passes >= 1);
  CHECK(status.last_cutoff_utc_ms == now - 7 * kDayMs);
  CHECK(count("windows") == 360);
  // Half an hour later nothing is due yet; the pass after the hour is.
  clock->advance_ms(30 * 60 * 1000);
  CHECK(schedule.status().passes == 1);

  // Three days on, the walk is 8 days old: the next pass drops its detail, not its lines.
  clock->advance_ms(3 * kDayMs);
  status = wait_for_passes(schedule, 2);
  REQUIRE(status.passes >= 2);
  CHECK(status.last_cutoff_utc_ms == now + 30 * 60 * 1000 + 3 * kDayMs - 7 * kDayMs);
  CHECK(status.total.windows == 360);
  CHECK(status.total.segments == 30);
  CHECK(count("windows") == 0);
  CHECK(count("window_labels") == 0);
  CHECK(count("segments") == 0);
  CHECK(count("log_entries") == 30);
  CHECK(count("recordings") == 1);
  schedule.stop();

  // The assistant answers from the lines that were kept.
  Assistant assistant(stores, std::nullopt, "");
  AskRequest ask;
  ask.question = "How long did I walk on November 21?";
  ask.as_of_utc_ms = clock->now_utc_ms();
  ask.tz = "UTC";
  const AskResult answer = assistant.ask(user, ask);
  CHECK(answer.understood);
  CHECK_THAT(answer.answer, Catch::Contains("30 minutes walking"));
}

TEST_CASE("The retention schedule refuses to keep less than a day", "[server][retention]") {
  auto stores = std::make_shared<StorePool>(test::make_temp_dir("retention_refused") + "/log.db");
  CHECK_THROWS_AS(server::RetentionSchedule(stores, {0, 3600 * 1000}, nullptr), Error);
}
