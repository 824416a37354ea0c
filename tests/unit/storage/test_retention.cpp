// Retention over a real migrated SQLite database and a fixed "now": detail (windows, labels,
// segments, tagged raw audio) older than the cutoff goes, log lines and recordings stay, nothing
// newer is touched, and a new file gives the freed pages back.
#include <catch2/catch.hpp>

#include <vector>

#include "common/error.h"
#include "storage/live_audio_store.h"
#include "storage/log_entry_store.h"
#include "storage/recording_store.h"
#include "storage/retention.h"
#include "storage/user_store.h"
#include "storage_test_util.h"
#include "tests/support/test_paths.h"

using namespace imu2clip;
using imu2clip::test::MigratedDatabase;
using imu2clip::test::utc_ms;

namespace {

constexpr int64_t kDayMs = 24 * imu2clip::test::kHourMs;
const int64_t kNow = utc_ms(2026, 11, 26, 12);

// A tagged recording starting at `start`: a 5 s window every 5 s, one segment and one log line
// per minute.
int64_t tagged_recording(Database& db, int64_t user_id, const std::string& key, int64_t start, double duration_s) {
  RecordingStore recordings(db);
  RecordingRow r;
  r.user_id = user_id;
  r.source_key = key;
  r.source_path = "/data/" + key + ".csv";
  r.start_utc_ms = start;
  r.tz = "UTC";
  r.duration_s = duration_s;
  r.model_id = "imu2clip-v1";
  const int64_t id = recordings.create(r);
  std::vector<WindowTag> windows;
  for (double s = 0; s + 5 <= duration_s; s += 5) {
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
    segments.push_back({s, s + 60, "walking", 0.9f, 12, "imu"});
    LogEntry e;
    e.offset_ms = static_cast<int64_t>(s * 1000);
    e.duration_ms = 60000;
    e.text = "walking";
    lines.push_back(e);
  }
  recordings.complete(id, segments, lines);
  return id;
}

int64_t count_where(Database& db, const std::string& sql, int64_t id) {
  auto s = db.prepare(sql);
  s.bind_all(id).step();
  return s.column_int64(0);
}

int64_t windows_of(Database& db, int64_t recording_id) {
  return count_where(db, "SELECT COUNT(*) FROM windows WHERE recording_id = ?1", recording_id);
}
int64_t segments_of(Database& db, int64_t recording_id) {
  return count_where(db, "SELECT COUNT(*) FROM segments WHERE recording_id = ?1", recording_id);
}
int64_t lines_of(Database& db, int64_t recording_id) {
  return count_where(db, "SELECT COUNT(*) FROM log_entries WHERE recording_id = ?1", recording_id);
}

// One second of audio at 1 kHz on `device`: a live session of its own.
int64_t audio_second(Database& db, int64_t user_id, const std::string& device, int64_t start) {
  std::vector<int16_t> pcm(1000, 7);
  LiveAudioAppendRequest r;
  r.user_id = user_id;
  r.device = device;
  r.model_id = "audio-v1";
  r.sample_rate_hz = 1000;
  r.start_utc_ms = start;
  r.max_gap_ms = 2000;
  r.pcm16 = pcm.data();
  r.n = pcm.size();
  return LiveAudioStore(db).append(r).recording_id;
}

}  // namespace

TEST_CASE("Retention drops windows, labels and segments older than the cutoff and keeps every log line",
          "[storage][retention]") {
  MigratedDatabase m;
  UserStore users(m.db);
  const int64_t ana = users.ensure("ana", "UTC");
  const int64_t ben = users.ensure("ben", "UTC");
  // Keep 7 days: ana's old walk and ben's (the setting is server-wide) lose their detail, the
  // recent one keeps it, and one that straddles the cutoff keeps only its part after it.
  const int64_t cutoff = retention_cutoff(kNow, 7);
  const int64_t old_walk = tagged_recording(m.db, ana, "old", kNow - 10 * kDayMs, 120);
  const int64_t bens_walk = tagged_recording(m.db, ben, "bens", kNow - 9 * kDayMs, 120);
  const int64_t recent = tagged_recording(m.db, ana, "recent", kNow - 1 * kDayMs, 120);
  const int64_t straddling = tagged_recording(m.db, ana, "straddling", cutoff - 60 * 1000, 120);
  LogEntry note;
  note.user_id = ana;
  note.t_utc_ms = kNow - 30 * kDayMs;
  note.modality = "note";
  note.text = "moved to Berlin";
  LogEntryStore(m.db).add({note});
  const int64_t lines_before = m.count("log_entries");
  const int64_t labels_of_recent = 2 * windows_of(m.db, recent);

  const RetentionCounts dropped = drop_detail_before(m.db, cutoff);

  CHECK(windows_of(m.db, old_walk) == 0);
  CHECK(segments_of(m.db, old_walk) == 0);
  CHECK(windows_of(m.db, bens_walk) == 0);
  CHECK(windows_of(m.db, recent) == 24);
  CHECK(segments_of(m.db, recent) == 2);
  // 12 windows and the first minute's segment ended at or before the cutoff.
  CHECK(windows_of(m.db, straddling) == 12);
  CHECK(segments_of(m.db, straddling) == 1);
  CHECK(dropped.windows == 24 + 24 + 12);
  CHECK(dropped.segments == 2 + 2 + 1);
  // Labels (and their scores) went with their windows.
  CHECK(m.count("window_labels") == labels_of_recent + 2 * 12);
  // The log keeps every line, and the recordings stay (their lines belong to them).
  CHECK(m.count("log_entries") == lines_before);
  CHECK(lines_of(m.db, old_walk) == 2);
  CHECK(m.count("recordings") == 4);

  const RetentionCounts again = drop_detail_before(m.db, cutoff);
  CHECK(again.windows == 0);
  CHECK(again.segments == 0);
}

TEST_CASE("Retention drops raw audio only once it is tagged", "[storage][retention]") {
  MigratedDatabase m;
  const int64_t ana = UserStore(m.db).ensure("ana", "UTC");
  const int64_t tagged = audio_second(m.db, ana, "kitchen", kNow - 10 * kDayMs);
  const int64_t untagged = audio_second(m.db, ana, "hall", kNow - 10 * kDayMs);
  const int64_t recent = audio_second(m.db, ana, "office", kNow - kDayMs);
  // The kitchen's second and the office's were tagged (a server with --keep-audio kept them).
  WindowTag w;
  w.start_s = 0;
  w.end_s = 1;
  w.modality = "audio";
  w.labels = {{"person speaking", 0.5f}};
  RecordingStore(m.db).append_windows(tagged, {w}, 1.0);
  RecordingStore(m.db).append_windows(recent, {w}, 1.0);

  const RetentionCounts dropped = drop_detail_before(m.db, retention_cutoff(kNow, 7));

  CHECK(dropped.audio_chunks == 1);
  const auto chunks = [&](int64_t id) {
    return count_where(m.db, "SELECT COUNT(*) FROM live_audio_chunks WHERE recording_id = ?1", id);
  };
  CHECK(chunks(tagged) == 0);
  CHECK(chunks(untagged) == 1);  // not logged yet: the tagger still needs it
  CHECK(chunks(recent) == 1);
}

TEST_CASE("Retention gives the dropped detail's pages back to the file system", "[storage][retention]") {
  const std::string path = test::make_temp_dir("retention_vacuum") + "/log.db";
  MigratedDatabase m(path);
  // A file this version creates frees pages on request.
  REQUIRE(m.db.query_int64("PRAGMA auto_vacuum") == 2);
  const int64_t ana = UserStore(m.db).ensure("ana", "UTC");
  tagged_recording(m.db, ana, "long", kNow - 30 * kDayMs, 6 * 3600);  // 4320 windows
  const int64_t pages_before = m.db.query_int64("PRAGMA page_count");

  const RetentionCounts dropped = drop_detail_before(m.db, retention_cutoff(kNow, 7));

  CHECK(dropped.windows == 4320);
  CHECK(dropped.pages_freed > 0);
  CHECK(m.db.query_int64("PRAGMA freelist_count") == 0);
  CHECK(m.db.query_int64("PRAGMA page_count") == pages_before - dropped.pages_freed);
}

TEST_CASE("Retention needs at least one day", "[storage][retention]") {
  CHECK_THROWS_AS(retention_cutoff(kNow, 0), Error);
  CHECK(retention_cutoff(kNow, 1) == kNow - kDayMs);
}

TEST_CASE("Retention stops between batches when asked and the next pass does the rest", "[storage][retention]") {
  MigratedDatabase m;
  const int64_t ana = UserStore(m.db).ensure("ana", "UTC");
  tagged_recording(m.db, ana, "old", kNow - 10 * kDayMs, 120);
  std::atomic<bool> stop{true};  // a server shutting down before the first batch

  const RetentionCounts stopped = drop_detail_before(m.db, retention_cutoff(kNow, 7), &stop);
  CHECK(stopped.windows == 0);
  CHECK(m.count("windows") == 24);

  stop = false;
  CHECK(drop_detail_before(m.db, retention_cutoff(kNow, 7), &stop).windows == 24);
  CHECK(m.count("windows") == 0);
}
