// Integration tests: upload jobs outlive the server process. The real `imu2clip serve` is killed
// (SIGKILL, as a crash) with uploads queued and restarted on the same database: the jobs finish,
// ids keep increasing, nothing is tagged twice, and /metrics counts jobs from the database.
#include <catch2/catch.hpp>

#include <filesystem>
#include <set>

#include "storage/log_store.h"
#include "tests/integration/test_server_harness.h"

using namespace imu2clip;
using namespace imu2clip::test;
using nlohmann::json;

namespace {

int64_t count_where(LogStore& store, const std::string& sql, int64_t arg) {
  auto s = store.database().prepare(sql);
  s.bind(1, arg);
  REQUIRE(s.step());
  return s.column_int64(0);
}

bool has_line(const std::string& text, const std::string& line) {
  return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

}  // namespace

TEST_CASE("upload jobs queued when the server is killed finish after a restart, once each",
          "[integration][server][jobs]") {
  std::string db, token;
  std::vector<int64_t> ids;
  {
    ServerProcess server;
    db = server.db();
    token = server.first_token();
    auto c = server.client();
    // Two hours of data first: the one worker is still tagging it while the small uploads after
    // it are acknowledged, so those are queued when the server dies.
    ids.push_back(submit_upload(*c, token, "start=2024-03-10T06:00:00Z&name=long.csv", imu_csv(2 * 3600)));
    for (const char* start : {"2024-03-10T09:00:00Z", "2024-03-10T10:00:00Z", "2024-03-10T11:00:00Z"})
      ids.push_back(submit_upload(*c, token, std::string("start=") + start + "&name=walk.csv", imu_csv(30)));
    server.kill_now();
  }
  for (size_t i = 1; i < ids.size(); ++i) CHECK(ids[i] > ids[i - 1]);

  // The database as the killed server left it: every job unfinished (the test means nothing
  // otherwise), their files still there. One file is lost before the restart.
  const std::string uploads = std::filesystem::path(db).parent_path().string() + "/uploads";
  std::string lost_file;
  {
    LogStore store(db);
    for (int64_t id : ids) {
      const auto row = store.upload_jobs().get(id);
      REQUIRE(row);
      INFO("job " << id << " " << row->state);
      REQUIRE((row->state == "queued" || row->state == "running"));
      CHECK(std::filesystem::exists(uploads + "/" + row->upload_name));
    }
    lost_file = uploads + "/" + store.upload_jobs().get(ids.back())->upload_name;
  }
  std::filesystem::remove(lost_file);

  ServerProcess restarted({}, db);
  auto c = restarted.client();
  std::vector<json> done;
  for (size_t i = 0; i + 1 < ids.size(); ++i) {
    const json status = wait_for_job(*c, token, ids[i]);
    INFO(status.dump());
    REQUIRE(status["state"] == "done");
    CHECK(status["progress"] == 1.0);
    done.push_back(status);
  }
  const json lost = wait_for_job(*c, token, ids.back());
  INFO(lost.dump());
  CHECK(lost["state"] == "failed");
  CHECK(lost["error"].get<std::string>().find("gone") != std::string::npos);
  CHECK(lost["error"].get<std::string>().find(uploads) == std::string::npos);

  // A new upload gets a new id: a client polling an old one never sees it.
  const int64_t next = submit_upload(*c, token, "start=2024-03-10T12:00:00Z&name=walk.csv", imu_csv(30));
  CHECK(next > ids.back());
  const json next_status = wait_for_job(*c, token, next);
  REQUIRE(next_status["state"] == "done");
  done.push_back(next_status);

  // Each job made exactly one recording, with its windows and log lines once.
  {
    LogStore store(db);
    std::set<int64_t> recordings;
    for (const json& status : done) {
      const int64_t rec = status["recording_id"].get<int64_t>();
      recordings.insert(rec);
      INFO(status.dump());
      CHECK(count_where(store, "SELECT COUNT(*) FROM windows WHERE recording_id = ?1", rec) ==
            status["summary"]["windows"].get<int64_t>());
      CHECK(count_where(store, "SELECT COUNT(*) FROM log_entries WHERE recording_id = ?1", rec) ==
            status["summary"]["segments"].get<int64_t>());
      CHECK(count_where(store,
                        "SELECT COUNT(*) FROM (SELECT 1 FROM log_entries WHERE recording_id = ?1 "
                        "GROUP BY offset_ms, text HAVING COUNT(*) > 1)",
                        rec) == 0);
    }
    CHECK(recordings.size() == done.size());
    CHECK(store.count("recordings") == static_cast<int64_t>(done.size()));
    CHECK(done.front()["summary"]["windows"].get<int64_t>() > 1000);  // the long one, whole
  }

  // The gauge counts what the database holds, jobs of the killed run included.
  const auto metrics = c->Get("/metrics");
  REQUIRE(metrics);
  INFO(metrics->body);
  CHECK(has_line(metrics->body, "imu2clip_jobs{state=\"done\"} " + std::to_string(done.size())));
  CHECK(has_line(metrics->body, "imu2clip_jobs{state=\"failed\"} 1"));
  CHECK(has_line(metrics->body, "imu2clip_jobs{state=\"queued\"} 0"));
  CHECK(has_line(metrics->body, "imu2clip_jobs{state=\"running\"} 0"));

  // Finished, every upload's file is gone.
  size_t files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(uploads))
    if (entry.is_regular_file()) ++files;
  CHECK(files == 0);

  // Deleting the user deletes their job rows.
  const auto deleted = c->Delete("/v1/me", bearer(token), json{{"confirm", "me"}}.dump(), "application/json");
  REQUIRE(deleted);
  CHECK(deleted->status == 200);
  CHECK(LogStore(db).count("upload_jobs") == 0);
  CHECK(restarted.terminate() == 0);
}
