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
