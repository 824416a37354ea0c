// A live session whose tagging throws on every pass (here: the database refuses its windows) must
// not hold its user's backlog limit for ever, nor be retried in a hot loop: it is retried with
// backoff, set aside after a few failed passes (its stuck backlog stops counting), and tagged once
// the failure goes away. Time is a hand-driven clock: no test waits for a backoff to pass.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <thread>

#include "common/error.h"
#include "storage/log_store.h"
#include "tagger/live/live_tagger.h"
#include "tests/support/test_paths.h"
#include "tests/unit/live/live_test_util.h"

using namespace imu2clip;
using namespace imu2clip::test;

namespace {

// Polls until `done` (the worker runs on its own thread); generous for a loaded machine.
void eventually(const std::function<bool()>& done, const char* what) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!done() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  INFO(what);
  REQUIRE(done());
}

}  // namespace

TEST_CASE("live: a session whose tagging keeps failing is retried with backoff and stops counting as backlog",
          "[live]") {
  const std::string db = make_temp_dir("live-failing") + "/live.db";
  const int64_t ann = make_user(db, "ann");
  std::atomic<int64_t> clock_ms{1'000'000};
  LiveTaggerOptions opt;
  opt.start_paused = true;
  opt.max_user_queue_windows = 8;
  opt.max_failed_passes = 3;
  opt.retry_backoff_s = 1;
  opt.max_retry_backoff_s = 8;
  opt.clock_ms = [&] { return clock_ms.load(); };
  LiveTagger live(db, small_live_bundle(), opt);

  const auto watch = batches_of(synthetic_stream(60, 50), 50 * 10, "watch");
  const auto phone = batches_of(synthetic_stream(20, 50, kStreamStartMs + 3'600'000), 50 * 10, "phone");
  const int64_t failing = live.ingest(ann, watch[0]).recording_id;
  live.ingest(ann, watch[1]);
  live.ingest(ann, watch[2]);
  {
    LogStore store(db);
    store.database().exec("CREATE TRIGGER refuse_windows BEFORE INSERT ON windows WHEN NEW.recording_id = " +
                           std::to_string(failing) + " BEGIN SELECT RAISE(ABORT, 'injected: disk failing'); END");
  }
  live.resume();
  eventually([&] { return live.stats().failed_passes == 1; }, "the first pass fails");
  CHECK(live.stats().sessions_set_aside == 0);

  // In its backoff the session is not tried again: neither new samples nor a flush make a pass
  // over it (that would be a hot loop driven by the client's batches).
  live.ingest(ann, watch[3]);
  live.flush();
  CHECK(live.stats().failed_passes == 1);
  // Not yet set aside, its 40 s still count: a 10 s batch from another device would pass the
  // user's limit of 8 windows.
  CHECK(live.stats().queue_windows >= 7);
  CHECK_THROWS_AS(live.ingest(ann, phone[0]), BusyError);

  // Each retry waits twice as long: 1 s, then 2 s.
  clock_ms += 1000;
  eventually([&] { return live.stats().failed_passes == 2; }, "the retry after 1 s fails");
  clock_ms += 1999;
  live.flush();
  CHECK(live.stats().failed_passes == 2);
  clock_ms += 1;
  eventually([&] { return live.stats().failed_passes == 3; }, "the retry after 2 more s fails");

  // Three failed passes in a row: set aside, reported, and its backlog no longer counts.
  const LiveStats aside = live.stats();
  CHECK(aside.sessions_set_aside == 1);
  CHECK(aside.sessions_set_aside_total == 1);
  CHECK(aside.queue_windows == 0);
  const int64_t phone_recording = live.ingest(ann, phone[0]).recording_id;
  CHECK(phone_recording != failing);
  // Samples that arrive for the set-aside session after that still count, so it cannot grow
  // without bound.
  live.ingest(ann, watch[4]);
  CHECK(live.stats().queue_windows >= 2);
  live.flush();
  CHECK(live.stats().failed_passes == 3);
  {
    LogStore store(db);
    CHECK(store.recordings().windows(failing).empty());
    CHECK_FALSE(store.recordings().windows(phone_recording).empty());
    store.database().exec("DROP TRIGGER refuse_windows");
  }

  // Once the failure is gone the next retry (the backoff is now 4 s) tags all of it.
  clock_ms += 4000;
  eventually([&] { return live.stats().sessions_set_aside == 0; }, "the retry after the fix succeeds");
  live.flush();
  CHECK(live.stats().failed_passes == 3);
  CHECK(live.stats().sessions_set_aside_total == 1);
  CHECK(live.stats().queue_windows == 0);
  LogStore store(db);
  CHECK(store.recordings().windows(failing).size() >= 9);  // 50 s of 5 s windows, less the open end
}
