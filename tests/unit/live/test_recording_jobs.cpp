#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "common/error.h"
#include "storage/log_store.h"
#include "tagger/live/recording_jobs.h"
#include "tests/support/test_paths.h"
#include "tests/unit/live/live_test_util.h"

using namespace imu2clip;
using namespace imu2clip::test;

TEST_CASE("recording jobs: an uploaded CSV is tagged in the background and reports done", "[live][jobs]") {
  const std::string dir = make_temp_dir("jobs-ok");
  const std::string db = dir + "/log.db";
  const std::string uploads = dir + "/uploads";
  std::filesystem::create_directories(uploads);
  const int64_t user = make_user(db, "bob", "Europe/Berlin");
  write_canonical_csv(uploads + "/walk.csv", synthetic_stream(60, 50));

  RecordingJobs jobs(db, small_live_bundle(), uploads);
  const int64_t id = jobs.submit(user, uploads + "/walk.csv", "auto", kStreamStartMs, "", "phone");
  auto queued = jobs.status(id);
  REQUIRE(queued);
  CHECK(queued->user_id == user);
  CHECK((queued->state == "queued" || queued->state == "running" || queued->state == "done"));
  jobs.wait_idle();

  auto done = jobs.status(id);
  REQUIRE(done);
  CHECK(done->state == "done");
  CHECK(done->error.empty());
  CHECK(done->progress == 1.0);
  REQUIRE(done->recording_id);
  CHECK(done->summary["windows"] == 12);
  CHECK(done->summary["segments"].get<int64_t>() >= 1);
  CHECK(done->summary["duration_s"].get<double>() == Approx(59.98));

  LogStore store(db);
  auto rec = store.recordings().find(*done->recording_id);
  REQUIRE(rec);
  CHECK(rec->user_id == user);
  CHECK(rec->status == "complete");
  CHECK(rec->tz == "Europe/Berlin");
  CHECK(rec->start_utc_ms == kStreamStartMs);
  CHECK(store.log().between(user, kStreamStartMs, kStreamStartMs + 60000).size() ==
        static_cast<size_t>(done->summary["segments"].get<int64_t>()));
  CHECK(!jobs.status(id + 1));
}

TEST_CASE("recording jobs: a bad file fails with a readable error", "[live][jobs]") {
  const std::string dir = make_temp_dir("jobs-bad");
  const std::string db = dir + "/log.db";
  const std::string uploads = dir + "/uploads";
  std::filesystem::create_directories(uploads);
  const int64_t user = make_user(db);
  {
    std::ofstream f(uploads + "/garbage.csv");
    f << "t_ms,ax,ay,az,gx,gy,gz\n0,1,2,3,4,5,6\n20,1,2,oops,4,5,6\n";
  }
  write_canonical_csv(uploads + "/fine.csv", synthetic_stream(20, 50));

  RecordingJobs jobs(db, small_live_bundle(), uploads);
  const int64_t bad = jobs.submit(user, uploads + "/garbage.csv", "auto", std::nullopt, "", "");
  const int64_t wrong_format = jobs.submit(user, uploads + "/fine.csv", "ego4d", std::nullopt, "", "");
  jobs.wait_idle();

  auto s = jobs.status(bad);
  REQUIRE(s);
  CHECK(s->state == "failed");
  CHECK(!s->recording_id);
  INFO(s->error);
  // The uploader's view: their file and the line, never the server's path to it.
  CHECK(s->error.find("the uploaded file") != std::string::npos);
  CHECK(s->error.find(uploads) == std::string::npos);
  CHECK(s->error.find(":3") != std::string::npos);  // the line with the bad value

  auto f = jobs.status(wrong_format);
  REQUIRE(f);
  CHECK(f->state == "failed");
  CHECK(f->error.find("format") != std::string::npos);

  CHECK_THROWS_AS(jobs.submit(user, uploads + "/fine.csv", "xlsx", std::nullopt, "", ""), Error);
  CHECK_THROWS_AS(jobs.submit(user, dir + "/log.db", "auto", std::nullopt, "", ""), Error);
  CHECK_THROWS_AS(jobs.submit(user, uploads + "/missing.csv", "auto", std::nullopt, "", ""), Error);
}

namespace {

// A job row as a server that was killed leaves it (the options in the form the server writes).
int64_t stored_job(LogStore& store, int64_t user, const std::string& name, const std::string& state) {
  const nlohmann::json options = {{"format", "auto"},         {"tz", "UTC"},          {"device", "phone"},
                                  {"start_utc_ms", kStreamStartMs}, {"accel_units", "auto"}, {"gyro_units", "auto"}};
  const int64_t id = store.upload_jobs().add(user, name, options);
  if (state != "queued") store.upload_jobs().set_state(id, state);
  return id;
}

}  // namespace

TEST_CASE("recording jobs: jobs left queued or running are tagged on start and a job whose file is gone fails",
          "[live][jobs]") {
  const std::string dir = make_temp_dir("jobs-restart");
  const std::string db = dir + "/log.db";
  const std::string uploads = dir + "/uploads";
  std::filesystem::create_directories(uploads + "/u1");
  const int64_t user = make_user(db, "bob");
  write_canonical_csv(uploads + "/u1/running.csv", synthetic_stream(60, 50));
  write_canonical_csv(uploads + "/u1/queued.csv", synthetic_stream(30, 50, kStreamStartMs + 3600 * 1000));
  int64_t running = 0, queued = 0, lost = 0;
  {
    LogStore store(db);
    running = stored_job(store, user, "u1/running.csv", "running");
    queued = stored_job(store, user, "u1/queued.csv", "queued");
    lost = stored_job(store, user, "u1/lost.csv", "queued");
  }

  RecordingJobs jobs(db, small_live_bundle(), uploads);
  const auto counts_at_start = jobs.counts_by_state();
  CHECK(counts_at_start.at("failed") == 1);  // the lost one, at once
  jobs.wait_idle();

  for (int64_t id : {running, queued}) {
    const auto s = jobs.status(id);
    REQUIRE(s);
    INFO(s->error);
    CHECK(s->state == "done");
    CHECK(s->user_id == user);
    REQUIRE(s->recording_id);
  }
  CHECK(jobs.status(running)->summary["windows"] == 12);
  const auto gone = jobs.status(lost);
  REQUIRE(gone);
  CHECK(gone->state == "failed");
  CHECK(gone->error.find("gone") != std::string::npos);
  CHECK(gone->error.find(uploads) == std::string::npos);
  CHECK(jobs.counts_by_state() == std::map<std::string, int64_t>{{"done", 2}, {"failed", 1}});
  CHECK_FALSE(std::filesystem::exists(uploads + "/u1/running.csv"));
  // The next job's id follows the stored ones.
  write_canonical_csv(uploads + "/u1/next.csv", synthetic_stream(20, 50));
  CHECK(jobs.submit(user, uploads + "/u1/next.csv", "auto", std::nullopt, "", "") > lost);
}

TEST_CASE("recording jobs: a job run again after its recording was stored does not store it twice",
          "[live][jobs]") {
  const std::string dir = make_temp_dir("jobs-rerun");
  const std::string db = dir + "/log.db";
  const std::string uploads = dir + "/uploads";
  std::filesystem::create_directories(uploads);
  const int64_t user = make_user(db, "bob");
  const auto stream = synthetic_stream(60, 50);
  write_canonical_csv(uploads + "/walk.csv", stream);
  int64_t id = 0, recording = 0;
  size_t lines = 0;
  {
    RecordingJobs jobs(db, small_live_bundle(), uploads);
    id = jobs.submit(user, uploads + "/walk.csv", "auto", kStreamStartMs, "", "phone");
    jobs.wait_idle();
    REQUIRE(jobs.status(id)->state == "done");
    recording = *jobs.status(id)->recording_id;
    lines = LogStore(db).log().for_recording(recording).size();
    REQUIRE(lines > 0);
  }
  // A kill just after the recording was stored and before the job was marked done: the row
  // still says running and the file is still there.
  LogStore(db).upload_jobs().set_state(id, "running");
  write_canonical_csv(uploads + "/walk.csv", stream);

  RecordingJobs jobs(db, small_live_bundle(), uploads);
  jobs.wait_idle();
  const auto again = jobs.status(id);
  REQUIRE(again);
  CHECK(again->state == "done");
  CHECK(again->recording_id == recording);
  CHECK(again->summary["windows"] == 12);
  LogStore store(db);
  CHECK(store.count("recordings") == 1);
  CHECK(store.count("windows") == 12);
  CHECK(store.log().for_recording(recording).size() == lines);
}

TEST_CASE("recording jobs: a stop leaves unfinished jobs queued with their files for the next start",
          "[live][jobs]") {
  const std::string dir = make_temp_dir("jobs-stop");
  const std::string db = dir + "/log.db";
  const std::string uploads = dir + "/uploads";
  std::filesystem::create_directories(uploads);
  const int64_t user = make_user(db, "bob");
  std::vector<int64_t> ids;
  {
    RecordingJobs jobs(db, small_live_bundle(), uploads);
    for (int i = 0; i < 3; ++i) {
      const std::string path = uploads + "/walk" + std::to_string(i) + ".csv";
      write_canonical_csv(path, synthetic_stream(60, 50, kStreamStartMs + i * 3600 * 1000));
      ids.push_back(jobs.submit(user, path, "auto", kStreamStartMs + i * 3600 * 1000, "", "phone"));
    }
    jobs.stop();  // whatever was not done by now stays queued
    for (int64_t id : ids) {
      const auto s = jobs.status(id);
      REQUIRE(s);
      CHECK(s->state != "failed");
      CHECK(s->state != "running");
      if (s->state == "queued") CHECK(std::filesystem::exists(uploads + "/walk" + std::to_string(id - ids[0]) + ".csv"));
    }
  }
  RecordingJobs jobs(db, small_live_bundle(), uploads);
  jobs.wait_idle();
  for (int64_t id : ids) CHECK(jobs.status(id)->state == "done");
  CHECK(LogStore(db).count("recordings") == 3);
}
