// A delete while the same data is still being tagged (live ingest, an upload job) does not come
// back afterwards: the taggers run the delete between their passes and then start again from
// what the database holds (run_exclusive). Orderings are forced with a paused worker, flush()
// and wait-for-completion, never with sleeps.
#include <catch2/catch.hpp>

#include <filesystem>

#include "storage/log_store.h"
#include "tagger/live/live_tagger.h"
#include "tagger/live/recording_jobs.h"
#include "tests/support/test_paths.h"
#include "tests/unit/live/live_test_util.h"

using namespace imu2clip;
using namespace imu2clip::test;

namespace {

int64_t count_where(const std::string& db, const std::string& sql, int64_t arg) {
  LogStore store(db);
  auto s = store.database().prepare(sql);
  s.bind_all(arg).step();
  return s.column_int64(0);
}

// Samples of `s` whose time is in [from_s, to_s) after its first sample, in batches.
std::vector<ImuSamples> part_of(const Stream& s, double from_s, double to_s) {
  Stream part;
  for (size_t i = 0; i < s.t.size(); ++i) {
    const double t = static_cast<double>(s.t[i] - s.t.front()) / 1000.0;
    if (t < from_s || t >= to_s) continue;
    part.t.push_back(s.t[i]);
    part.v.push_back(s.v[i]);
  }
  return batches_of(part, 250);
}

}  // namespace

TEST_CASE("live: a period deleted while its session is still open is not written back by the tagger",
          "[live][erasure]") {
  const std::string dir = make_temp_dir("live-erase-period");
  const std::string db = dir + "/live.db";
  const int64_t user = make_user(db);
  const Stream s = synthetic_stream(120, 50);
  const int64_t cut = kStreamStartMs + 30 * 1000;

  LiveTagger live(db, small_live_bundle());
  int64_t recording = 0;
  for (const auto& b : part_of(s, 0, 60)) recording = live.ingest(user, b).recording_id;
  live.flush();
  REQUIRE(count_where(db, "SELECT COUNT(*) FROM log_entries WHERE user_id = ?1 AND t_utc_ms < " +
                              std::to_string(cut), user) > 0);

  // The first 30 s go while the session is open: the worker holds its windows and open segment
  // in memory.
  live.run_exclusive([&] {
    LogStore store(db);
    store.erasure().remove_between(user, kStreamStartMs - 1000, cut);
  });
  // The same session goes on; the worker tags the next minute and rewrites its open segments.
  for (const auto& b : part_of(s, 60, 120)) CHECK(live.ingest(user, b).recording_id == recording);
  live.flush();

  CHECK(count_where(db, "SELECT COUNT(*) FROM log_entries WHERE user_id = ?1 AND t_utc_ms < " + std::to_string(cut),
                    user) == 0);
  CHECK(count_where(db, "SELECT COUNT(*) FROM windows WHERE recording_id = ?1 AND start_s < 30", recording) == 0);
  CHECK(count_where(db, "SELECT COUNT(*) FROM segments WHERE recording_id = ?1 AND start_s < 30", recording) == 0);
  CHECK(count_where(db, "SELECT COUNT(*) FROM live_samples WHERE recording_id = ?1 AND t_utc_ms < " +
                            std::to_string(cut), recording) == 0);
  // What was not deleted is still tagged: the minute after the delete has its lines.
  CHECK(count_where(db, "SELECT COUNT(*) FROM log_entries WHERE user_id = ?1 AND t_utc_ms >= " +
                            std::to_string(kStreamStartMs + 60 * 1000), user) > 0);
}

TEST_CASE("live: a period deleted across the session's untagged samples does not stop its tagging",
          "[live][erasure]") {
  const std::string dir = make_temp_dir("live-erase-tail");
  const std::string db = dir + "/live.db";
  const int64_t user = make_user(db);
  const Stream s = synthetic_stream(120, 50);

  LiveTagger live(db, small_live_bundle());
  int64_t recording = 0;
  // 62 s: the final pass tags the windows up to 60 s; the next window (60-65 s) waits for data.
  for (const auto& b : part_of(s, 0, 62)) recording = live.ingest(user, b).recording_id;
  live.flush();
  REQUIRE(count_where(db, "SELECT COUNT(*) FROM windows WHERE recording_id = ?1 AND start_s >= 55", recording) == 1);

  // The period takes the raw samples the next window starts with: what is left of the session
  // begins after that window's start.
  live.run_exclusive([&] {
    LogStore store(db);
    store.erasure().remove_between(user, kStreamStartMs + 59 * 1000, kStreamStartMs + 61 * 1000);
  });
  for (const auto& b : part_of(s, 62, 120)) CHECK(live.ingest(user, b).recording_id == recording);
  live.flush();

  // The window the delete cut into holds no data of the user's: a gap, with no labels.
  CHECK(count_where(db, "SELECT COUNT(*) FROM windows WHERE recording_id = ?1 AND start_s = 60 AND valid = 0",
                    recording) == 1);
  // Everything after it is tagged as usual, up to the session's end.
  CHECK(count_where(db, "SELECT COUNT(*) FROM windows WHERE recording_id = ?1 AND start_s >= 65 AND valid = 1",
                    recording) == 11);
  CHECK(count_where(db, "SELECT COUNT(*) FROM log_entries WHERE user_id = ?1 AND t_utc_ms >= " +
                            std::to_string(kStreamStartMs + 61 * 1000), user) > 0);
  // The queue drained: only the margin before the next window is kept (the session is open).
  CHECK(count_where(db, "SELECT COUNT(*) FROM live_samples WHERE recording_id = ?1 AND t_utc_ms < " +
                            std::to_string(kStreamStartMs + 119 * 1000), recording) == 0);
}

TEST_CASE("live: a recording deleted while the queue still holds its samples stays deleted after the worker drains",
          "[live][erasure]") {
  const std::string dir = make_temp_dir("live-erase-queued");
  const std::string db = dir + "/live.db";
  const int64_t user = make_user(db);
  const Stream s = synthetic_stream(60, 50);
  LiveTaggerOptions o;
  o.start_paused = true;  // the samples wait in the durable queue, untagged
  LiveTagger live(db, small_live_bundle(), o);
  int64_t recording = 0;
  for (const auto& b : batches_of(s, 250)) recording = live.ingest(user, b).recording_id;
  REQUIRE(live.stats().queue_windows > 0);

  live.run_exclusive([&] {
    LogStore store(db);
    REQUIRE(store.erasure().remove_recording(user, recording));
  });
  live.resume();
  live.flush();

  CHECK(count_where(db, "SELECT COUNT(*) FROM recordings WHERE id = ?1", recording) == 0);
  CHECK(count_where(db, "SELECT COUNT(*) FROM windows WHERE recording_id = ?1", recording) == 0);
  CHECK(count_where(db, "SELECT COUNT(*) FROM log_entries WHERE user_id = ?1", user) == 0);
  CHECK(count_where(db, "SELECT COUNT(*) FROM live_samples WHERE recording_id = ?1", recording) == 0);
  CHECK(live.stats().queue_windows == 0);  // the deleted session is no backlog

  // Samples sent after the delete are new data: a new recording, tagged as usual.
  const Stream later = synthetic_stream(20, 50, kStreamStartMs + 3600 * 1000);
  int64_t next = 0;
  for (const auto& b : batches_of(later, 250)) next = live.ingest(user, b).recording_id;
  live.flush();
  // (SQLite may hand the freed id out again: what matters is that only the new hour is there.)
  CHECK(count_where(db, "SELECT COUNT(*) FROM recordings WHERE user_id = ?1", user) == 1);
  CHECK(count_where(db, "SELECT start_utc_ms FROM recordings WHERE id = ?1", next) == later.t.front());
  CHECK(count_where(db, "SELECT COUNT(*) FROM windows WHERE recording_id = ?1", next) == 4);
}

TEST_CASE("recording jobs: a delete waits for the user's upload being tagged, which then stays deleted",
          "[live][jobs][erasure]") {
  const std::string dir = make_temp_dir("jobs-erase");
  const std::string db = dir + "/log.db";
  const std::string uploads = dir + "/uploads";
  std::filesystem::create_directories(uploads);
  const int64_t user = make_user(db, "bob");
  write_canonical_csv(uploads + "/walk.csv", synthetic_stream(120, 50));

  RecordingJobs jobs(db, small_live_bundle(), uploads);
  const int64_t id = jobs.submit(user, uploads + "/walk.csv", "auto", kStreamStartMs, "UTC", "phone");
  // Queued, running or done by now: whichever, the delete covers the upload's whole day.
  jobs.run_exclusive(user, [&] {
    LogStore store(db);
    store.erasure().remove_between(user, kStreamStartMs - 3600 * 1000, kStreamStartMs + 3600 * 1000);
  });
  const auto status = jobs.status(id);
  REQUIRE(status);
  CHECK(status->state == "done");  // it was finished before the delete ran
  jobs.wait_idle();

  CHECK(count_where(db, "SELECT COUNT(*) FROM recordings WHERE user_id = ?1", user) == 0);
  CHECK(count_where(db, "SELECT COUNT(*) FROM log_entries WHERE user_id = ?1", user) == 0);
  LogStore store(db);
  CHECK(store.count("windows") == 0);
}
