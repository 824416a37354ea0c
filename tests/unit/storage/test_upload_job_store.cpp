// UploadJobStore over a real migrated SQLite database: a job's life (queued, running, done or
// failed), what a restart takes up again, ids that are never reused, the bound on finished jobs,
// and jobs that go with their user.
#include <catch2/catch.hpp>

#include <filesystem>

#include "common/error.h"
#include "storage/recording_store.h"
#include "storage/upload_job_store.h"
#include "storage/user_store.h"
#include "storage_test_util.h"
#include "tests/support/test_paths.h"

using namespace imu2clip;
using imu2clip::test::MigratedDatabase;

namespace {

const nlohmann::json kOptions = {{"format", "auto"}, {"tz", "Europe/Berlin"}, {"device", "phone"},
                                 {"start_utc_ms", 1700000000000}, {"accel_units", "g"}, {"gyro_units", "auto"}};

int64_t recording_of(MigratedDatabase& m, int64_t user_id, const std::string& key) {
  RecordingRow r;
  r.user_id = user_id;
  r.source_key = key;
  r.source_path = key + ".csv";
  r.tz = "UTC";
  r.model_id = "imu2clip-v1";
  return RecordingStore(m.db).create(r);
}

}  // namespace

TEST_CASE("upload jobs: a job is stored queued, runs, and keeps its outcome", "[storage][upload_jobs]") {
  MigratedDatabase m;
  const int64_t user = UserStore(m.db).ensure("bob", "UTC");
  UploadJobStore jobs(m.db);

  const int64_t done_id = jobs.add(user, "u1/1700000000000-00112233aabbccdd.csv", kOptions);
  const int64_t failed_id = jobs.add(user, "u1/1700000000001-00112233aabbccdd.csv.gz", kOptions);
  const int64_t waiting_id = jobs.add(user, "u1/1700000000002-00112233aabbccdd.csv", nlohmann::json::object());
  CHECK(done_id < failed_id);
  CHECK(failed_id < waiting_id);

  auto queued = jobs.get(done_id);
  REQUIRE(queued);
  CHECK(queued->user_id == user);
  CHECK(queued->state == "queued");
  CHECK(queued->upload_name == "u1/1700000000000-00112233aabbccdd.csv");
  CHECK(queued->options == kOptions);
  CHECK(!queued->recording_id);
  CHECK(!queued->finished_utc_ms);
  CHECK(queued->created_utc_ms > 0);

  jobs.set_state(done_id, "running");
  jobs.set_state(failed_id, "running");
  CHECK(jobs.count_by_state() == std::map<std::string, int64_t>{{"queued", 1}, {"running", 2}});

  const int64_t rec = recording_of(m, user, "upload:walk");
  jobs.finish_done(done_id, rec, {{"windows", 12}, {"segments", 2}});
  jobs.finish_failed(failed_id, "the uploaded file:3: field 'az': not a number");
  auto done = jobs.get(done_id);
  REQUIRE(done);
  CHECK(done->state == "done");
  CHECK(done->recording_id == rec);
  CHECK(done->summary["windows"] == 12);
  CHECK(done->finished_utc_ms);
  auto failed = jobs.get(failed_id);
  REQUIRE(failed);
  CHECK(failed->state == "failed");
  CHECK(failed->error == "the uploaded file:3: field 'az': not a number");
  CHECK(!failed->recording_id);
  CHECK(jobs.count_by_state() == std::map<std::string, int64_t>{{"done", 1}, {"failed", 1}, {"queued", 1}});

  // What a restart takes up again: only the unfinished job.
  const auto unfinished = jobs.unfinished();
  REQUIRE(unfinished.size() == 1);
  CHECK(unfinished[0].id == waiting_id);

  // A deleted recording leaves its job, which no longer points at it.
  RecordingStore(m.db).remove(rec);
  done = jobs.get(done_id);
  REQUIRE(done);
  CHECK(done->state == "done");
  CHECK(!done->recording_id);

  CHECK(!jobs.get(waiting_id + 1));
  CHECK_THROWS_AS(jobs.set_state(done_id, "done"), Error);
  CHECK_THROWS_AS(jobs.set_state(waiting_id + 1, "running"), Error);
  CHECK_THROWS_AS(jobs.finish_failed(waiting_id + 1, "x"), Error);
  CHECK_THROWS_AS(jobs.add(user, "", kOptions), Error);
  CHECK_THROWS_AS(jobs.add(user + 100, "u9/x.csv", kOptions), Error);  // no such user
}

TEST_CASE("upload jobs: unfinished jobs are listed oldest first, running and queued alike", "[storage][upload_jobs]") {
  MigratedDatabase m;
  const int64_t user = UserStore(m.db).ensure("bob", "UTC");
  UploadJobStore jobs(m.db);
  const int64_t a = jobs.add(user, "u1/a.csv", kOptions);
  const int64_t b = jobs.add(user, "u1/b.csv", kOptions);
  const int64_t c = jobs.add(user, "u1/c.csv", kOptions);
  jobs.set_state(b, "running");
  jobs.finish_failed(a, "gone");
  const auto unfinished = jobs.unfinished();
  REQUIRE(unfinished.size() == 2);
  CHECK(unfinished[0].id == b);
  CHECK(unfinished[0].state == "running");
  CHECK(unfinished[1].id == c);
  CHECK(unfinished[1].state == "queued");
  jobs.set_state(b, "queued");  // a restart puts a running job back
  CHECK(jobs.get(b)->state == "queued");
}

TEST_CASE("upload jobs: ids are never reused, not after deletes nor after reopening the file",
          "[storage][upload_jobs]") {
  const std::string path = imu2clip::test::make_temp_dir("upload-job-ids") + "/log.db";
  int64_t last = 0;
  {
    MigratedDatabase m(path);
    const int64_t bob = UserStore(m.db).ensure("bob", "UTC");
    UploadJobStore jobs(m.db);
    jobs.add(bob, "u1/a.csv", kOptions);
    last = jobs.add(bob, "u1/b.csv", kOptions);
    CHECK(jobs.last_id() == last);
    // The newest rows go (with their user): a plain rowid would hand their ids out again.
    REQUIRE(UserStore(m.db).remove(bob));
    CHECK(m.count("upload_jobs") == 0);
    CHECK(jobs.last_id() == last);
  }
  MigratedDatabase reopened(path);
  const int64_t alice = UserStore(reopened.db).ensure("alice", "UTC");
  UploadJobStore jobs(reopened.db);
  CHECK(jobs.add(alice, "u2/c.csv", kOptions) == last + 1);
}

TEST_CASE("upload jobs: a user's jobs go with the user, another user's stay", "[storage][upload_jobs]") {
  MigratedDatabase m;
  UserStore users(m.db);
  const int64_t bob = users.ensure("bob", "UTC"), alice = users.ensure("alice", "UTC");
  UploadJobStore jobs(m.db);
  jobs.add(bob, "u1/a.csv", kOptions);
  jobs.finish_done(jobs.add(bob, "u1/b.csv", kOptions), recording_of(m, bob, "upload:b"), nlohmann::json::object());
  const int64_t hers = jobs.add(alice, "u2/c.csv", kOptions);
  REQUIRE(users.remove(bob));
  CHECK(m.count("upload_jobs") == 1);
  CHECK(jobs.get(hers));
  CHECK(jobs.count_by_state() == std::map<std::string, int64_t>{{"queued", 1}});
}

TEST_CASE("upload jobs: pruning keeps a user's newest finished jobs and every unfinished one",
          "[storage][upload_jobs]") {
  MigratedDatabase m;
  UserStore users(m.db);
  const int64_t bob = users.ensure("bob", "UTC"), alice = users.ensure("alice", "UTC");
  UploadJobStore jobs(m.db);
  std::vector<int64_t> finished;
  const int64_t waiting = jobs.add(bob, "u1/waiting.csv", kOptions);
  for (int i = 0; i < 5; ++i) {
    const int64_t id = jobs.add(bob, "u1/" + std::to_string(i) + ".csv", kOptions);
    jobs.finish_failed(id, "bad file");
    finished.push_back(id);
  }
  const int64_t hers = jobs.add(alice, "u2/x.csv", kOptions);
  jobs.finish_failed(hers, "bad file");

  CHECK(jobs.prune_finished(bob, 2) == 3);
  for (size_t i = 0; i < finished.size(); ++i) CHECK(jobs.get(finished[i]).has_value() == (i >= 3));
  CHECK(jobs.get(waiting));
  CHECK(jobs.get(hers));
  CHECK(jobs.prune_finished(bob, 2) == 0);
  CHECK_THROWS_AS(jobs.prune_finished(bob, -1), Error);
}

TEST_CASE("upload jobs: a v4 database gains the jobs table and keeps its data", "[storage][upload_jobs][schema]") {
  Database db(":memory:");
  for (const auto& step : schema_migrations()) {
    if (step.version > 4) break;
    db.exec(step.sql);
    db.exec("PRAGMA user_version = " + std::to_string(step.version));
  }
  const int64_t bob = UserStore(db).ensure("bob", "UTC");
  CHECK_THROWS_AS(db.exec("SELECT COUNT(*) FROM upload_jobs"), Error);
  CHECK(migrate(db) == latest_schema_version());
  CHECK(latest_schema_version() >= 5);
  CHECK(UserStore(db).get(bob).name == "bob");
  UploadJobStore jobs(db);
  CHECK(jobs.get(jobs.add(bob, "u1/a.csv", kOptions))->state == "queued");
}
