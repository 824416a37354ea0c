#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "common/error.h"
#include "storage/log_store.h"
#include "tagger/live/live_tagger.h"
#include "tests/support/test_paths.h"
#include "tests/unit/live/live_test_util.h"

using namespace imu2clip;
using namespace imu2clip::test;

TEST_CASE("live: acknowledged samples survive a crash before tagging and a new tagger tags them", "[live]") {
  const std::string dir = make_temp_dir("live-crash");
  const std::string db = dir + "/live.db";
  auto bundle = small_live_bundle();
  const int64_t user = make_user(db);
  const Stream s = synthetic_stream(90, 50);
  const auto batches = batches_of(s, 50);

  int64_t recording = 0;
  {
    LiveTaggerOptions opt;
    opt.start_paused = true;  // the worker never runs: what a crash right after ingest leaves
    LiveTagger live(db, bundle, opt);
    for (size_t i = 0; i < 60; ++i) recording = live.ingest(user, batches[i]).recording_id;
    CHECK(live.stats().queue_windows == 11);
    live.abandon();
  }
  {
    LogStore store(db);
    CHECK(store.count("live_samples") == 3000);
    CHECK(store.count("windows") == 0);
  }
  {
    LiveTagger live(db, bundle);
    CHECK(live.stats().queue_windows == 11);
    live.flush();
    // The stream goes on where it stopped, into the same session.
    for (size_t i = 60; i < batches.size(); ++i) CHECK(live.ingest(user, batches[i]).recording_id == recording);
    live.flush();
  }
  LogStore store(db);
  const auto windows = store.recordings().windows(recording);
  REQUIRE(windows.size() == 18);
  for (size_t i = 0; i < windows.size(); ++i) CHECK(windows[i].start_s == Approx(5.0 * static_cast<double>(i)));
  CHECK(store.recordings().for_user(user).size() == 1);
  CHECK(!store.log().for_recording(recording).empty());
}

TEST_CASE("live: a crash after some windows were tagged loses and repeats nothing", "[live]") {
  const std::string dir = make_temp_dir("live-crash-mid");
  const std::string db = dir + "/live.db";
  auto bundle = small_live_bundle();
  const int64_t user = make_user(db);
  const Stream s = synthetic_stream(60, 50);
  const auto batches = batches_of(s, 50);

  int64_t recording = 0;
  {
    LiveTagger live(db, bundle);
    for (size_t i = 0; i < 30; ++i) recording = live.ingest(user, batches[i]).recording_id;
    live.stop();  // tagged up to 30 s ...
  }
  {
    LiveTaggerOptions opt;
    opt.start_paused = true;
    LiveTagger live(db, bundle, opt);
    for (size_t i = 30; i < 60; ++i) live.ingest(user, batches[i]);
    live.abandon();  // ... then 30 s acknowledged but never tagged
  }
  {
    LogStore store(db);
    CHECK(store.recordings().windows(recording).size() == 6);
    CHECK(store.count("live_samples") > 1500);
  }
  { LiveTagger live(db, bundle); }  // destroying flushes
  LogStore store(db);
  const auto windows = store.recordings().windows(recording);
  REQUIRE(windows.size() == 12);
  for (size_t i = 0; i < windows.size(); ++i) CHECK(windows[i].start_s == Approx(5.0 * static_cast<double>(i)));
  const auto segments = store.recordings().segments(recording);
  int64_t covered = 0;
  for (const auto& seg : segments) covered += seg.n_windows;
  CHECK(covered == 12);
  CHECK(store.log().for_recording(recording).size() == segments.size());
}

TEST_CASE("live: stopping right after a restart tags the backlog to its last sample", "[live]") {
  // On a busy machine the worker of a restarted tagger tags the backlog's complete windows
  // before the caller stops it; stopping must still run the final pass that tags the tail.
  const std::string dir = make_temp_dir("live-restart-stop");
  const std::string db = dir + "/live.db";
  auto bundle = small_live_bundle();
  const int64_t user = make_user(db);
  const auto batches = batches_of(synthetic_stream(60, 50), 50);
  int64_t recording = 0;
  {
    LiveTaggerOptions opt;
    opt.start_paused = true;
    LiveTagger live(db, bundle, opt);
    for (const auto& b : batches) recording = live.ingest(user, b).recording_id;
    live.abandon();
  }
  {
    LiveTagger live(db, bundle);
    for (int i = 0; i < 2000 && live.stats().windows_tagged < 11; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }  // destroying stops
  LogStore store(db);
  CHECK(store.recordings().windows(recording).size() == 12);
}

TEST_CASE("live: one user's backlog, counting the incoming batch, does not turn other users away", "[live]") {
  const std::string dir = make_temp_dir("live-user-busy");
  const std::string db = dir + "/live.db";
  const int64_t ann = make_user(db, "ann");
  const int64_t bob = make_user(db, "bob");
  LiveTaggerOptions opt;
  opt.start_paused = true;  // nothing is tagged: the backlogs only grow
  opt.max_user_queue_windows = 5;
  LiveTagger live(db, small_live_bundle(), opt);

  // ann sends 10 s batches until her backlog plus the next batch would pass 5 windows: that
  // batch is refused, and nothing of it is stored.
  const auto ann_batches = batches_of(synthetic_stream(200, 50), 50 * 10);
  LogStore store(db);
  size_t refused = 0;
  for (; refused < ann_batches.size(); ++refused) {
    const int64_t before = store.count("live_samples");
    try {
      live.ingest(ann, ann_batches[refused]);
    } catch (const BusyError& e) {
      CHECK(std::string(e.what()).find("per user") != std::string::npos);
      CHECK(store.count("live_samples") == before);
      break;
    }
  }
  REQUIRE(refused > 0);
  REQUIRE(refused < ann_batches.size());
  CHECK(live.stats().queue_windows <= 5);
  // bob, with nothing waiting, is welcome.
  CHECK_NOTHROW(live.ingest(bob, batches_of(synthetic_stream(10, 50), 50 * 10, "phone")[0]));
  // A batch that alone spans more windows than a user may have waiting can never be taken:
  // InvalidInput (split it), not Busy (which says retry).
  const auto long_batch = batches_of(synthetic_stream(60, 50, kStreamStartMs + 3'600'000), 50 * 60, "ring")[0];
  try {
    live.ingest(bob, long_batch);
    FAIL("a batch longer than the per-user backlog was taken");
  } catch (const BusyError&) {
    FAIL("a batch that can never fit was answered Busy");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::InvalidInput);
    CHECK(std::string(e.what()).find("smaller batches") != std::string::npos);
  }
  live.resume();
  live.flush();
  CHECK_NOTHROW(live.ingest(ann, ann_batches[refused]));  // caught up: her batch is taken now
}

TEST_CASE("live: a full backlog refuses batches with BusyError and stores nothing of them", "[live]") {
  const std::string dir = make_temp_dir("live-busy");
  const std::string db = dir + "/live.db";
  const int64_t user = make_user(db);
  const auto batches = batches_of(synthetic_stream(60, 50), 50);
  LiveTaggerOptions opt;
  opt.start_paused = true;
  opt.max_queue_windows = 3;
  LiveTagger live(db, small_live_bundle(), opt);

  size_t accepted = 0;
  bool busy = false;
  for (; accepted < batches.size(); ++accepted) {
    LogStore store(db);
    const int64_t before = store.count("live_samples");
    try {
      auto r = live.ingest(user, batches[accepted]);
      CHECK(r.pending_windows <= 4);
    } catch (const BusyError& e) {
      busy = true;
      CHECK(std::string(e.what()).find("retry") != std::string::npos);
      CHECK(store.count("live_samples") == before);
      break;
    }
  }
  REQUIRE(busy);
  CHECK(accepted == 16);  // 16 s stored: three whole 5 s windows waiting
  CHECK(live.stats().queue_windows == 3);
  CHECK(live.stats().samples_ingested == 16 * 50);

  live.flush();  // the worker catches up, then the refused batch is welcome
  CHECK(live.stats().queue_windows == 0);
  CHECK_NOTHROW(live.ingest(user, batches[accepted]));
}
