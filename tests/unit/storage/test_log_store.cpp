#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <thread>

#include "common/error.h"
#include "storage/log_store.h"
#include "storage_test_util.h"
#include "tests/support/test_paths.h"

using namespace imu2clip;
using imu2clip::test::kHourMs;
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

}  // namespace

TEST_CASE("Users are created once, keep their zone and reject unknown zones", "[storage][store]") {
  LogStore store(":memory:");
  int64_t ana = store.ensure_user("ana", "Europe/Berlin");
  CHECK(store.ensure_user("ana", "America/Los_Angeles") == ana);
  CHECK(store.user(ana).tz == "Europe/Berlin");
  CHECK(store.count("users") == 1);

  auto found = store.find_user("ana");
  REQUIRE(found);
  CHECK(found->id == ana);
  CHECK_FALSE(store.find_user("bob"));
  CHECK_FALSE(found->token_hash);

  store.set_user_tz(ana, "Asia/Tokyo");
  CHECK(store.user(ana).tz == "Asia/Tokyo");
  store.set_user_token_hash(ana, std::string("sha256:abc"));
  REQUIRE(store.find_user_by_token_hash("sha256:abc"));
  CHECK(store.find_user_by_token_hash("sha256:abc")->name == "ana");

  try {
    store.ensure_user("bob", "Mars/Olympus_Mons");
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::InvalidInput);
    CHECK_THAT(e.what(), Catch::Contains("Mars/Olympus_Mons") && Catch::Contains("Europe/Berlin"));
  }
  CHECK(store.count("users") == 1);
  CHECK_THROWS_AS(store.user(12345), Error);
  try {
    store.user(12345);
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::NotFound);
  }
}

TEST_CASE("Devices are per user and created once", "[storage][store]") {
  LogStore store(":memory:");
  int64_t ana = store.ensure_user("ana", "UTC");
  int64_t bob = store.ensure_user("bob", "UTC");
  int64_t watch = store.ensure_device(ana, "left wrist", "watch");
  CHECK(store.ensure_device(ana, "left wrist", "watch") == watch);
  CHECK(store.ensure_device(bob, "left wrist", "watch") != watch);
  auto devices = store.devices(ana);
  REQUIRE(devices.size() == 1);
  CHECK(devices[0].kind == "watch");
  CHECK_THROWS_AS(store.ensure_device(999, "x", "watch"), Error);
}

TEST_CASE("Recordings round-trip and are unique per source, model and modality", "[storage][store]") {
  LogStore store(":memory:");
  int64_t ana = store.ensure_user("ana", "Europe/Berlin");
  int64_t dev = store.ensure_device(ana, "glasses", "glasses");
  auto row = make_recording(ana, "hapt/exp01", utc_ms(2024, 3, 10, 14, 0));
  row.device_id = dev;
  int64_t id = store.create_recording(row);

  auto found = store.find_recording(ana, "hapt/exp01", "imu2clip-v1");
  REQUIRE(found);
  CHECK(found->id == id);
  CHECK(found->device_id == dev);
  CHECK(found->start_utc_ms == utc_ms(2024, 3, 10, 14, 0));
  CHECK(found->status == "tagging");
  CHECK(found->meta["rate_hz"] == 50);
  CHECK(found->meta["channels"].size() == 3);
  CHECK(found->created_utc_ms > 0);
  CHECK_FALSE(store.find_recording(ana, "hapt/exp01", "other-model"));
  CHECK_FALSE(store.find_recording(ana, "hapt/exp01", "imu2clip-v1", "audio"));

  // Same key, model and modality: refused with a hint; another model is a separate recording.
  try {
    store.create_recording(row);
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::InvalidInput);
    CHECK_THAT(e.what(), Catch::Contains("--force"));
  }
  auto other = row;
  other.model_id = "imu2clip-v2";
  other.start_utc_ms = std::nullopt;
  int64_t other_id = store.create_recording(other);
  auto list = store.recordings(ana);
  REQUIRE(list.size() == 2);
  CHECK(list[0].id == other_id);  // unknown start sorts first
  CHECK_FALSE(list[0].start_utc_ms);

  store.update_recording_info(id, 123.5, {{"rows", 6175}});
  CHECK(store.recording(id)->duration_s == 123.5);
  CHECK(store.recording(id)->meta["rows"] == 6175);

  auto bad_tz = make_recording(ana, "x");
  bad_tz.tz = "Berlin";
  CHECK_THROWS_WITH(store.create_recording(bad_tz), Catch::Contains("did you mean 'Europe/Berlin'"));
}

TEST_CASE("Storing the same window batch twice stores each window once", "[storage][store]") {
  LogStore store(":memory:");
  int64_t ana = store.ensure_user("ana", "UTC");
  int64_t rec = store.create_recording(make_recording(ana, "k"));
  auto first = batch(0, 10);
  first[3].valid = false;
  first[3].invalid_reason = "gap in samples";
  first[3].labels.clear();
  store.append_windows(rec, first, 27.5);
  store.append_windows(rec, first, 27.5);
  CHECK(store.count("windows") == 10);
  CHECK(store.count("window_labels") == 27);

  // Float noise in the start time maps to the same millisecond key.
  auto noisy = first;
  for (auto& w : noisy) w.start_s += 1e-7;
  store.append_windows(rec, noisy, 10);
  CHECK(store.count("windows") == 10);
  CHECK(store.recording(rec)->tagged_until_s == 27.5);  // never moves backwards

  auto back = store.windows(rec);
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
  store.append_windows(rec, audio, 27.5);
  CHECK(store.count("windows") == 11);
}

TEST_CASE("Invalid windows are rejected before anything is written", "[storage][store]") {
  LogStore store(":memory:");
  int64_t ana = store.ensure_user("ana", "UTC");
  int64_t rec = store.create_recording(make_recording(ana, "k"));
  auto windows = batch(0, 5);
  windows[4].end_s = windows[4].start_s - 1;
  try {
    store.append_windows(rec, windows, 20);
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::InvalidInput);
    CHECK(e.context().field == "windows[4].end_s");
  }
  windows = batch(0, 2);
  windows[1].labels[0].score = std::numeric_limits<float>::quiet_NaN();
  CHECK_THROWS_AS(store.append_windows(rec, windows, 20), Error);
  CHECK(store.count("windows") == 0);
  CHECK(store.recording(rec)->tagged_until_s == 0);
  try {
    store.append_windows(rec + 100, batch(0, 1), 5);
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::NotFound);
  }
}

TEST_CASE("Completing a recording replaces its segments and log lines", "[storage][store]") {
  LogStore store(":memory:");
  int64_t ana = store.ensure_user("ana", "Europe/Berlin");
  int64_t start = utc_ms(2024, 6, 1, 13, 50);
  int64_t rec = store.create_recording(make_recording(ana, "k", start));
  store.append_windows(rec, batch(0, 4), 12.5);

  std::vector<Segment> segments = {{0, 10, "walking", 0.8f, 4, "imu"}, {10, 20, "sitting", 0.7f, 4, "imu"}};
  LogEntry e1;
  e1.offset_ms = 0;
  e1.duration_ms = 10000;
  e1.text = "walking";
  LogEntry e2 = e1;
  e2.offset_ms = 10000;
  e2.text = "sitting";
  store.complete_recording(rec, segments, {e1, e2});
  store.complete_recording(rec, segments, {e1, e2});  // re-running does not duplicate
  CHECK(store.count("segments") == 2);
  CHECK(store.count("log_entries") == 2);
  auto r = store.recording(rec);
  CHECK(r->status == "complete");
  CHECK(r->tagged_until_s == 60);

  auto lines = store.recording_log_entries(rec);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].user_id == ana);
  CHECK(lines[0].recording_id == rec);
  CHECK(lines[1].t_utc_ms == start + 10000);  // derived from the recording's start

  store.complete_recording(rec, {{0, 20, "walking", 0.75f, 8, "imu"}}, {e1});
  auto segs = store.segments(rec);
  REQUIRE(segs.size() == 1);
  CHECK(segs[0].n_windows == 8);
  CHECK(segs[0].mean_score == Approx(0.75f));
  CHECK(store.count("log_entries") == 1);

  LogEntry foreign = e1;
  foreign.user_id = ana + 1;
  CHECK_THROWS_AS(store.complete_recording(rec, {}, {foreign}), Error);
  CHECK(store.count("log_entries") == 1);
}

TEST_CASE("Log lines without a wall-clock time stay with their recording", "[storage][store]") {
  LogStore store(":memory:");
  int64_t ana = store.ensure_user("ana", "UTC");
  int64_t rec = store.create_recording(make_recording(ana, "no-clock"));
  LogEntry e;
  e.offset_ms = 3930000;
  e.text = "walking";
  store.complete_recording(rec, {}, {e});
  auto lines = store.recording_log_entries(rec);
  REQUIRE(lines.size() == 1);
  CHECK_FALSE(lines[0].t_utc_ms);
  CHECK(lines[0].offset_ms == 3930000);
  CHECK(store.log_entries(ana, INT64_MIN, INT64_MAX).empty());
}

TEST_CASE("Deleting a recording removes everything derived from it", "[storage][store]") {
  LogStore store(":memory:");
  int64_t ana = store.ensure_user("ana", "UTC");
  int64_t keep = store.create_recording(make_recording(ana, "keep", 0));
  int64_t drop = store.create_recording(make_recording(ana, "drop", 0));
  for (int64_t rec : {keep, drop}) {
    store.append_windows(rec, batch(0, 3), 10);
    LogEntry e;
    e.offset_ms = 0;
    e.text = "sitting";
    store.complete_recording(rec, {{0, 10, "sitting", 0.5f, 3, "imu"}}, {e});
  }
  LogEntry free_text;
  free_text.user_id = ana;
  free_text.t_utc_ms = 5;
  free_text.modality = "note";
  free_text.text = "coffee";
  store.add_log_entries({free_text});

  CHECK(store.delete_recording(drop));
  CHECK_FALSE(store.delete_recording(drop));
  CHECK_FALSE(store.recording(drop));
  CHECK(store.count("windows") == 3);
  CHECK(store.count("window_labels") == 9);
  CHECK(store.count("segments") == 1);
  CHECK(store.count("log_entries") == 2);  // keep's line and the free text
  CHECK(store.windows(keep).size() == 3);

  // Deleting the user (an admin action, plain SQL) removes all of theirs.
  store.database().exec("DELETE FROM users WHERE name = 'ana'");
  for (const char* t : {"recordings", "windows", "window_labels", "segments", "log_entries"}) {
    INFO(t);
    CHECK(store.count(t) == 0);
  }
}

TEST_CASE("Log lines are queried per user over a half-open UTC range", "[storage][store]") {
  LogStore store(":memory:");
  int64_t ana = store.ensure_user("ana", "UTC");
  int64_t bob = store.ensure_user("bob", "UTC");
  int64_t day = utc_ms(2024, 3, 10);
  std::vector<LogEntry> entries;
  for (int h : {23, 0, 12, 24}) {  // out of order on purpose
    LogEntry e;
    e.user_id = ana;
    e.t_utc_ms = day + h * kHourMs;
    e.modality = "note";
    e.text = "h" + std::to_string(h);
    entries.push_back(e);
  }
  entries.push_back(entries[0]);
  entries.back().user_id = bob;
  CHECK(store.add_log_entries(entries) == 5);

  auto lines = store.log_entries(ana, day, day + 24 * kHourMs);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0].text == "h0");
  CHECK(lines[1].text == "h12");
  CHECK(lines[2].text == "h23");
  CHECK(lines[0].id > 0);

  LogEntry orphan;
  orphan.user_id = 777;
  orphan.t_utc_ms = day;
  orphan.text = "x";
  std::vector<LogEntry> with_orphan = {entries[0], orphan};
  try {
    store.add_log_entries(with_orphan);
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::NotFound);
  }
  CHECK(store.count("log_entries") == 5);
  CHECK_THROWS_AS(store.count("sqlite_master; DROP TABLE users"), Error);
}

TEST_CASE("Two connections share a file, a writer waits for the other's lock", "[storage][store][concurrency]") {
  auto dir = imu2clip::test::make_temp_dir("store-two");
  std::string path = dir + "/log.db";
  LogStore a(path);
  LogStore b(path);
  a.ensure_user("ana", "UTC");
  CHECK(b.find_user("ana"));  // committed writes are visible to the other connection

  // While another connection holds the write lock, a short busy timeout fails clearly...
  std::atomic<bool> locked{false};
  std::atomic<bool> release{false};
  std::thread holder([&] {
    Database db(path);
    Transaction tx(db);
    db.exec("INSERT INTO users(name, tz, created_utc_ms, updated_utc_ms) VALUES('held', 'UTC', 0, 0)");
    locked = true;
    while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    tx.commit();
  });
  while (!locked) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  {
    LogStore impatient(path, DatabaseOptions{50});
    try {
      impatient.ensure_user("bob", "UTC");
      FAIL("expected a busy error");
    } catch (const Error& e) {
      CHECK(e.kind() == ErrorKind::Database);
      CHECK_THAT(e.what(), Catch::Contains("another process is writing"));
    }
  }
  // ...while the default timeout waits for the commit and then succeeds.
  release = true;
  auto t0 = std::chrono::steady_clock::now();
  b.ensure_user("bob", "UTC");
  auto waited = std::chrono::steady_clock::now() - t0;
  holder.join();
  CHECK(waited >= std::chrono::milliseconds(200));
  CHECK(a.count("users") == 3);
}
