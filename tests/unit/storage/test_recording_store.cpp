// RecordingStore on its own, over a real migrated SQLite database: recordings, their windows
// and labels, segments, and the log lines written with the segments.
#include <catch2/catch.hpp>

#include <limits>

#include "common/error.h"
#include "storage/log_entry_store.h"
#include "storage/recording_store.h"
#include "storage/user_store.h"
#include "storage_test_util.h"

using namespace imu2clip;
using imu2clip::test::MigratedDatabase;
using imu2clip::test::utc_ms;

namespace {

RecordingRow make_recording(int64_t user_id, const std::string& key, std::optional<int64_t> start = std::nullopt) {
  RecordingRow r;
  r.user_id = user_id;
  r.source_key = key;
  r.source_path = "/data/" + key + ".csv";
  r.start_utc_ms = start;
  r.tz = "Europe/Berlin";
  r.duration_s = 60;
  r.model_id = "imu2clip-v1";
  r.meta = {{"rate_hz", 50}, {"channels", {"ax", "ay", "az"}}};
  return r;
}

WindowTag make_window(double start_s, const std::string& best = "walking") {
  WindowTag w;
  w.start_s = start_s;
  w.end_s = start_s + 5;
  w.labels = {{best, 0.9f}, {"sitting", 0.05f}, {"running", 0.01f}};
  return w;
}

std::vector<WindowTag> batch(double from_s, int n) {
  std::vector<WindowTag> out;
  for (int i = 0; i < n; ++i) out.push_back(make_window(from_s + 2.5 * i));
  return out;
}

LogEntry line_at(int64_t offset_ms, const std::string& text) {
  LogEntry e;
  e.offset_ms = offset_ms;
  e.duration_ms = 10000;
  e.text = text;
  return e;
}

}  // namespace

TEST_CASE("Recordings round-trip and are unique per source, model and modality", "[storage][recordings]") {
  MigratedDatabase m;
  UserStore users(m.db);
  RecordingStore recordings(m.db);
  int64_t ana = users.ensure("ana", "Europe/Berlin");
  int64_t dev = users.ensure_device(ana, "glasses", "glasses");
  auto row = make_recording(ana, "hapt/exp01", utc_ms(2024, 3, 10, 14, 0));
  row.device_id = dev;
  int64_t id = recordings.create(row);

  auto found = recordings.find_by_source(ana, "hapt/exp01", "imu2clip-v1");
  REQUIRE(found);
  CHECK(found->id == id);
  CHECK(found->device_id == dev);
  CHECK(found->start_utc_ms == utc_ms(2024, 3, 10, 14, 0));
  CHECK(found->status == "tagging");
  CHECK(found->meta["rate_hz"] == 50);
  CHECK(found->meta["channels"].size() == 3);
  CHECK(found->created_utc_ms > 0);
  CHECK_FALSE(recordings.find_by_source(ana, "hapt/exp01", "other-model"));
  CHECK_FALSE(recordings.find_by_source(ana, "hapt/exp01", "imu2clip-v1", "audio"));

  // Same key, model and modality: refused with a hint; another model is a separate recording.
  try {
    recordings.create(row);
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::InvalidInput);
    CHECK_THAT(e.what(), Catch::Contains("--force"));
  }
  auto other = row;
  other.model_id = "imu2clip-v2";
  other.start_utc_ms = std::nullopt;
  int64_t other_id = recordings.create(other);
  auto list = recordings.for_user(ana);
  REQUIRE(list.size() == 2);
  CHECK(list[0].id == other_id);  // unknown start sorts first
  CHECK_FALSE(list[0].start_utc_ms);

  recordings.update_info(id, 123.5, {{"rows", 6175}});
  REQUIRE(recordings.find(id));
  CHECK(recordings.find(id)->duration_s == 123.5);
  CHECK(recordings.find(id)->meta["rows"] == 6175);
  CHECK_THROWS_AS(recordings.update_info(id + 100, 1, {}), Error);

  auto bad_tz = make_recording(ana, "x");
  bad_tz.tz = "Berlin";
  CHECK_THROWS_WITH(recordings.create(bad_tz), Catch::Contains("did you mean 'Europe/Berlin'"));
  CHECK_THROWS_AS(recordings.create(make_recording(ana + 100, "y")), Error);
  CHECK(m.count("recordings") == 2);
}

TEST_CASE("Storing the same window batch twice stores each window once", "[storage][recordings]") {
  MigratedDatabase m;
  RecordingStore recordings(m.db);
  int64_t ana = UserStore(m.db).ensure("ana", "UTC");
  int64_t rec = recordings.create(make_recording(ana, "k"));
  auto first = batch(0, 10);
  first[3].valid = false;
  first[3].invalid_reason = "gap in samples";
  first[3].labels.clear();
  recordings.append_windows(rec, first, 27.5);
  recordings.append_windows(rec, first, 27.5);
  CHECK(m.count("windows") == 10);
  CHECK(m.count("window_labels") == 27);

  // Float noise in the start time maps to the same millisecond key.
  auto noisy = first;
  for (auto& w : noisy) w.start_s += 1e-7;
  recordings.append_windows(rec, noisy, 10);
  CHECK(m.count("windows") == 10);
  REQUIRE(recordings.find(rec));
  CHECK(recordings.find(rec)->tagged_until_s == 27.5);  // never moves backwards

  auto back = recordings.windows(rec);
  REQUIRE(back.size() == 10);
  CHECK(back[1].start_s == 2.5);
  CHECK(back[1].end_s == 7.5);
  REQUIRE(back[1].labels.size() == 3);
  CHECK(back[1].labels[0].label == "walking");
  CHECK(back[1].labels[0].score == Approx(0.9f));
  CHECK(back[1].labels[2].label == "running");
  CHECK_FALSE(back[3].valid);
  CHECK(back[3].invalid_reason == "gap in samples");
  CHECK(back[3].labels.empty());

  // Another modality at the same start time is a different window.
  auto audio = batch(0, 1);
  audio[0].modality = "audio";
  recordings.append_windows(rec, audio, 27.5);
  CHECK(m.count("windows") == 11);
}

TEST_CASE("Invalid windows are rejected before anything is written", "[storage][recordings]") {
  MigratedDatabase m;
  RecordingStore recordings(m.db);
  int64_t ana = UserStore(m.db).ensure("ana", "UTC");
  int64_t rec = recordings.create(make_recording(ana, "k"));
  auto windows = batch(0, 5);
  windows[4].end_s = windows[4].start_s - 1;
  try {
    recordings.append_windows(rec, windows, 20);
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::InvalidInput);
    CHECK(e.context().field == "windows[4].end_s");
  }
  windows = batch(0, 2);
  windows[1].labels[0].score = std::numeric_limits<float>::quiet_NaN();
  CHECK_THROWS_AS(recordings.append_windows(rec, windows, 20), Error);
  CHECK(m.count("windows") == 0);
  REQUIRE(recordings.find(rec));
  CHECK(recordings.find(rec)->tagged_until_s == 0);
  try {
    recordings.append_windows(rec + 100, batch(0, 1), 5);
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::NotFound);
  }
}

TEST_CASE("Completing a recording replaces its segments and log lines", "[storage][recordings]") {
  MigratedDatabase m;
  RecordingStore recordings(m.db);
  LogEntryStore log(m.db);
  int64_t ana = UserStore(m.db).ensure("ana", "Europe/Berlin");
  int64_t start = utc_ms(2024, 6, 1, 13, 50);
  int64_t rec = recordings.create(make_recording(ana, "k", start));
  recordings.append_windows(rec, batch(0, 4), 12.5);

  std::vector<Segment> segments = {{0, 10, "walking", 0.8f, 4, "imu"}, {10, 20, "sitting", 0.7f, 4, "imu"}};
  LogEntry e1 = line_at(0, "walking");
  LogEntry e2 = line_at(10000, "sitting");
  recordings.complete(rec, segments, {e1, e2});
  recordings.complete(rec, segments, {e1, e2});  // re-running does not duplicate
  CHECK(m.count("segments") == 2);
  CHECK(m.count("log_entries") == 2);
  auto r = recordings.find(rec);
  REQUIRE(r);
  CHECK(r->status == "complete");
  CHECK(r->tagged_until_s == 60);

  auto lines = log.for_recording(rec);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].user_id == ana);
  CHECK(lines[0].recording_id == rec);
  CHECK(lines[1].t_utc_ms == start + 10000);  // derived from the recording's start

  recordings.complete(rec, {{0, 20, "walking", 0.75f, 8, "imu"}}, {e1});
  auto segs = recordings.segments(rec);
  REQUIRE(segs.size() == 1);
  CHECK(segs[0].n_windows == 8);
  CHECK(segs[0].mean_score == Approx(0.75f));
  CHECK(m.count("log_entries") == 1);

  LogEntry foreign = e1;
  foreign.user_id = ana + 1;
  CHECK_THROWS_AS(recordings.complete(rec, {}, {foreign}), Error);
  CHECK(m.count("log_entries") == 1);
  CHECK_THROWS_AS(recordings.complete(rec + 100, {}, {}), Error);
}

TEST_CASE("Log lines without a wall-clock time stay with their recording", "[storage][recordings]") {
  MigratedDatabase m;
  RecordingStore recordings(m.db);
  LogEntryStore log(m.db);
  int64_t ana = UserStore(m.db).ensure("ana", "UTC");
  int64_t rec = recordings.create(make_recording(ana, "no-clock"));
  recordings.complete(rec, {}, {line_at(3930000, "walking")});
  auto lines = log.for_recording(rec);
  REQUIRE(lines.size() == 1);
  CHECK_FALSE(lines[0].t_utc_ms);
  CHECK(lines[0].offset_ms == 3930000);
  CHECK(log.between(ana, INT64_MIN, INT64_MAX).empty());
}

TEST_CASE("A live recording's segments are replaced from a point on, earlier ones stay final",
          "[storage][recordings]") {
  MigratedDatabase m;
  RecordingStore recordings(m.db);
  LogEntryStore log(m.db);
  int64_t ana = UserStore(m.db).ensure("ana", "UTC");
  int64_t start = utc_ms(2024, 6, 1, 8, 0);
  auto row = make_recording(ana, "live:watch:1", start);
  row.duration_s = 0;
  int64_t rec = recordings.create(row);

  recordings.update_live_segments(rec, 0, {{0, 10, "walking", 0.8f, 4, "imu"}, {10, 20, "sitting", 0.6f, 4, "imu"}},
                                  {line_at(0, "walking"), line_at(10000, "sitting")}, 20, false);
  REQUIRE(recordings.find(rec));
  CHECK(recordings.find(rec)->status == "tagging");
  CHECK(recordings.find(rec)->duration_s == 20);

  // The open segment grew: everything from 10 s on is replaced, the first segment is kept.
  recordings.update_live_segments(rec, 10, {{10, 30, "sitting", 0.65f, 8, "imu"}}, {line_at(10000, "sitting")}, 30,
                                  true);
  auto segs = recordings.segments(rec);
  REQUIRE(segs.size() == 2);
  CHECK(segs[0].label == "walking");
  CHECK(segs[1].end_s == 30);
  auto lines = log.for_recording(rec);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].text == "walking");
  CHECK(lines[1].t_utc_ms == start + 10000);
  auto r = recordings.find(rec);
  REQUIRE(r);
  CHECK(r->status == "complete");
  CHECK(r->duration_s == 30);
  CHECK(r->tagged_until_s == 30);
  CHECK_THROWS_AS(recordings.update_live_segments(rec, -1, {}, {}, 30, true), Error);
}

TEST_CASE("Deleting a recording removes everything derived from it", "[storage][recordings]") {
  MigratedDatabase m;
  RecordingStore recordings(m.db);
  int64_t ana = UserStore(m.db).ensure("ana", "UTC");
  int64_t keep = recordings.create(make_recording(ana, "keep", 0));
  int64_t drop = recordings.create(make_recording(ana, "drop", 0));
  for (int64_t rec : {keep, drop}) {
    recordings.append_windows(rec, batch(0, 3), 10);
    recordings.complete(rec, {{0, 10, "sitting", 0.5f, 3, "imu"}}, {line_at(0, "sitting")});
  }
  LogEntry free_text;
  free_text.user_id = ana;
  free_text.t_utc_ms = 5;
  free_text.modality = "note";
  free_text.text = "coffee";
  LogEntryStore(m.db).add({free_text});

  CHECK(recordings.remove(drop));
  CHECK_FALSE(recordings.remove(drop));
  CHECK_FALSE(recordings.find(drop));
  CHECK(m.count("windows") == 3);
  CHECK(m.count("window_labels") == 9);
  CHECK(m.count("segments") == 1);
  CHECK(m.count("log_entries") == 2);  // keep's line and the free text
  CHECK(recordings.windows(keep).size() == 3);

  // Deleting the user (an admin action, plain SQL) removes all of theirs.
  m.db.exec("DELETE FROM users WHERE name = 'ana'");
  for (const char* t : {"recordings", "windows", "window_labels", "segments", "log_entries"}) {
    INFO(t);
    CHECK(m.count(t) == 0);
  }
}
