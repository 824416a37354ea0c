// ErasureStore (and UserStore::remove) over a real migrated SQLite database: a user's recording,
// a period of their log, or the whole user go; another user's data never does.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <vector>

#include "common/error.h"
#include "storage/erasure_store.h"
#include "storage/live_sample_store.h"
#include "storage/log_entry_store.h"
#include "storage/recording_store.h"
#include "storage/user_store.h"
#include "storage_test_util.h"

using namespace imu2clip;
using imu2clip::test::MigratedDatabase;
using imu2clip::test::utc_ms;

namespace {

constexpr int64_t kMinMs = 60 * 1000;

// A tagged recording: windows at `window_starts` (5 s each), one segment and one 10 s log line
// per minute of `duration_s`.
int64_t tagged_recording(MigratedDatabase& m, int64_t user_id, const std::string& key,
                         std::optional<int64_t> start, double duration_s, const std::vector<double>& window_starts) {
  RecordingStore recordings(m.db);
  RecordingRow r;
  r.user_id = user_id;
  r.source_key = key;
  r.source_path = "/data/" + key + ".csv";
  r.start_utc_ms = start;
  r.tz = "UTC";
  r.duration_s = duration_s;
  r.model_id = "imu2clip-v1";
  const int64_t id = recordings.create(r);
  recordings.update_info(id, duration_s, nlohmann::json::object());
  std::vector<WindowTag> windows;
  for (double s : window_starts) {
    WindowTag w;
    w.start_s = s;
    w.end_s = s + 5;
    w.labels = {{"walking", 0.9f}, {"sitting", 0.1f}};
    windows.push_back(w);
  }
  recordings.append_windows(id, windows, duration_s);
  std::vector<Segment> segments;
  std::vector<LogEntry> lines;
  for (double s = 0; s < duration_s; s += 60) {
    segments.push_back({s, s + 60, "walking", 0.9f, 1, "imu"});
    LogEntry e;
    e.offset_ms = static_cast<int64_t>(s * 1000);
    e.duration_ms = 10000;
    e.text = "walking";
    lines.push_back(e);
  }
  recordings.complete(id, segments, lines);
  return id;
}

LogEntry note(int64_t user_id, int64_t t_utc_ms, const std::string& text) {
  LogEntry e;
  e.user_id = user_id;
  e.t_utc_ms = t_utc_ms;
  e.modality = "note";
  e.text = text;
  return e;
}

// Raw live samples every 10 ms over [from, to): a live session of their own.
int64_t live_session(MigratedDatabase& m, int64_t user_id, int64_t from, int64_t to) {
  std::vector<int64_t> t;
  for (int64_t x = from; x < to; x += 10) t.push_back(x);
  std::vector<std::array<float, 6>> v(t.size(), std::array<float, 6>{0, 0, 9.81f, 0, 0, 0});
  LiveAppendRequest request;
  request.user_id = user_id;
  request.device = "watch";
  request.model_id = "imu2clip-v1";
  request.t_utc_ms = t.data();
  request.values = v.data();
  request.n = t.size();
  return LiveSampleStore(m.db).append(request).parts.back().recording_id;
}

int64_t count_where(MigratedDatabase& m, const std::string& sql) { return m.db.query_int64(sql); }

}  // namespace

TEST_CASE("A user removes their own recording with all derived from it, never another's", "[storage][erasure]") {
  MigratedDatabase m;
  UserStore users(m.db);
  ErasureStore erasure(m.db);
  const int64_t ana = users.ensure("ana", "UTC");
  const int64_t bo = users.ensure("bo", "UTC");
  const int64_t t0 = utc_ms(2024, 5, 1, 10);
  const int64_t rec = tagged_recording(m, ana, "walk", t0, 180, {0, 5, 10});
  const int64_t live = live_session(m, ana, t0 + 3600 * 1000, t0 + 3600 * 1000 + 2000);
  const int64_t bos = tagged_recording(m, bo, "walk", t0, 120, {0, 5});

  CHECK_FALSE(erasure.remove_recording(bo, rec));  // looks absent to anyone else
  CHECK_FALSE(erasure.remove_recording(ana, 999999));
  CHECK(m.count("recordings") == 3);

  const auto counts = erasure.remove_recording(ana, rec);
  REQUIRE(counts);
  CHECK(counts->recordings == 1);
  CHECK(counts->windows == 3);
  CHECK(counts->log_lines == 3);
  CHECK(count_where(m, "SELECT COUNT(*) FROM windows WHERE recording_id = " + std::to_string(rec)) == 0);
  CHECK(count_where(m, "SELECT COUNT(*) FROM segments WHERE recording_id = " + std::to_string(rec)) == 0);
  CHECK(count_where(m, "SELECT COUNT(*) FROM window_labels") == 2 * 2);  // bo's windows only

  REQUIRE(m.count("live_samples") == 200);
  const auto live_counts = erasure.remove_recording(ana, live);
  REQUIRE(live_counts);
  CHECK(m.count("live_samples") == 0);
  CHECK(count_where(m, "SELECT COUNT(*) FROM live_streams WHERE recording_id IS NOT NULL") == 0);

  CHECK(m.count("recordings") == 1);
  CHECK(RecordingStore(m.db).windows(bos).size() == 2);
  CHECK(LogEntryStore(m.db).for_recording(bos).size() == 2);
}

TEST_CASE("Removing a period takes whole recordings inside it and the inside part of straddling ones",
          "[storage][erasure]") {
  MigratedDatabase m;
  UserStore users(m.db);
  ErasureStore erasure(m.db);
  LogEntryStore log(m.db);
  const int64_t ana = users.ensure("ana", "UTC");
  const int64_t bo = users.ensure("bo", "UTC");
  const int64_t from = utc_ms(2024, 5, 1, 10);
  const int64_t to = utc_ms(2024, 5, 1, 11);

  const int64_t inside = tagged_recording(m, ana, "inside", from + 10 * kMinMs, 120, {0, 30, 60, 90});
  // 10:59:00 for 2 minutes: windows at 10:59:00 and 10:59:58 (ends 11:00:03) touch the period,
  // those at 11:00:02 and 11:00:30 do not; the first minute's segment and line go.
  const int64_t straddling = tagged_recording(m, ana, "straddling", to - kMinMs, 120, {0, 58, 62, 90});
  const int64_t undated = tagged_recording(m, ana, "undated", std::nullopt, 60, {0});
  log.add({note(ana, from + 30 * kMinMs, "coffee with Bo"), note(ana, from - kMinMs, "before"), note(ana, to, "after")});
  const int64_t bos = tagged_recording(m, bo, "inside", from + 10 * kMinMs, 120, {0, 30});
  log.add({note(bo, from + 30 * kMinMs, "coffee with Ana")});

  const ErasedCounts counts = erasure.remove_between(ana, from, to);
  CHECK(counts.recordings == 1);
  CHECK(counts.windows == 4 + 2);
  CHECK(counts.log_lines == 2 + 1 + 1);

  RecordingStore recordings(m.db);
  CHECK_FALSE(recordings.find(inside));
  REQUIRE(recordings.find(straddling));
  const auto kept_windows = recordings.windows(straddling);
  REQUIRE(kept_windows.size() == 2);
  CHECK(kept_windows[0].start_s == 62);
  CHECK(kept_windows[1].start_s == 90);
  const auto kept_segments = recordings.segments(straddling);
  REQUIRE(kept_segments.size() == 1);
  CHECK(kept_segments[0].start_s == 60);
  const auto kept_lines = log.for_recording(straddling);
  REQUIRE(kept_lines.size() == 1);
  CHECK(kept_lines[0].offset_ms == 60000);
  CHECK(recordings.windows(undated).size() == 1);
  CHECK(log.for_recording(undated).size() == 1);

  const auto ana_left = log.between(ana, from - 24 * 3600 * 1000LL, to + 24 * 3600 * 1000LL);
  std::vector<std::string> texts;
  for (const auto& e : ana_left) texts.push_back(e.text);
  std::sort(texts.begin(), texts.end());
  CHECK(texts == std::vector<std::string>{"after", "before", "walking"});

  CHECK(recordings.windows(bos).size() == 2);
  CHECK(log.between(bo, from, to).size() == 3);  // two recording lines and the note

  CHECK_THROWS_AS(erasure.remove_between(ana, to, from), Error);
}

TEST_CASE("Removing a period deletes the raw live samples inside it", "[storage][erasure]") {
  MigratedDatabase m;
  const int64_t ana = UserStore(m.db).ensure("ana", "UTC");
  const int64_t from = utc_ms(2024, 5, 1, 10);
  const int64_t rec = live_session(m, ana, from - 1000, from + 1000);
  // A live session still being recorded: its duration so far is what the tagger reached.
  RecordingStore(m.db).update_info(rec, 2.0, nlohmann::json::object());
  ErasureStore(m.db).remove_between(ana, from, from + 3600 * 1000);
  CHECK(RecordingStore(m.db).find(rec));
  CHECK(m.count("live_samples") == 100);
  CHECK(count_where(m, "SELECT MAX(t_utc_ms) FROM live_samples") < from);
}

TEST_CASE("Removing a user deletes everything of theirs and nothing of anyone else", "[storage][erasure]") {
  MigratedDatabase m;
  UserStore users(m.db);
  const int64_t ana = users.ensure("ana", "UTC");
  const int64_t bo = users.ensure("bo", "UTC");
  users.set_token_hash(ana, std::string("sha256:ana"));
  const int64_t t0 = utc_ms(2024, 5, 1, 10);
  tagged_recording(m, ana, "walk", t0, 120, {0, 5});
  live_session(m, ana, t0 + 3600 * 1000, t0 + 3600 * 1000 + 500);
  LogEntryStore(m.db).add({note(ana, t0, "private")});
  const int64_t bos = tagged_recording(m, bo, "walk", t0, 60, {0});

  CHECK(users.remove(ana));
  CHECK_FALSE(users.remove(ana));
  CHECK_FALSE(users.find("ana"));
  CHECK_FALSE(users.find_by_token_hash("sha256:ana"));
  CHECK(m.count("devices") == 0);
  CHECK(m.count("live_samples") == 0);
  CHECK(m.count("live_streams") == 0);
  CHECK(count_where(m, "SELECT COUNT(*) FROM recordings WHERE user_id <> " + std::to_string(bo)) == 0);
  CHECK(count_where(m, "SELECT COUNT(*) FROM log_entries WHERE user_id <> " + std::to_string(bo)) == 0);
  CHECK(m.count("windows") == 1);
  CHECK(RecordingStore(m.db).segments(bos).size() == 1);
}
