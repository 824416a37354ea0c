// Integration test: `imu2clip serve --retain-detail-days N` drops the detail of old recordings at
// start (windows, scores, segments) and keeps their log lines, which the assistant still answers
// from; `imu2clip prune` does the same offline.
#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <fstream>
#include <sstream>
#include <thread>

#include "storage/log_store.h"
#include "tests/integration/process.h"
#include "tests/integration/test_server_harness.h"

using namespace imu2clip::test;
using nlohmann::json;

namespace {

// Uploads 30 s of IMU at `start_iso` (long ago) and waits for its tagging job.
void tagged_upload(httplib::Client& c, const std::string& token, const std::string& start_iso) {
  const json status = wait_for_job(c, token, submit_upload(c, token, "start=" + start_iso + "&name=walk.csv", imu_csv(30)));
  INFO(status.dump());
  REQUIRE(status["state"] == "done");
}

int64_t rows(const std::string& db, const std::string& table) {
  imu2clip::LogStore store(db);
  return store.count(table);
}

// Waits (generously: a loaded machine) until `table` of `db` is empty; its row count then.
int64_t wait_until_empty(const std::string& db, const std::string& table) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  int64_t n = rows(db, table);
  while (n > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    n = rows(db, table);
  }
  return n;
}

}  // namespace

TEST_CASE("serve --retain-detail-days drops old windows at start and keeps the log lines",
          "[integration][server][retention]") {
  std::string db, token;
  int64_t lines = 0;
  {
    ServerProcess server;
    db = server.db();
    token = server.first_token();
    tagged_upload(*server.client(), token, "2024-03-10T13:00:00Z");
    REQUIRE(server.terminate() == 0);
  }
  REQUIRE(rows(db, "windows") > 0);
  REQUIRE(rows(db, "segments") > 0);
  lines = rows(db, "log_entries");
  REQUIRE(lines > 0);

  // Years later by the real clock: the first pass, at start, drops the recording's detail.
  ServerProcess server({"--retain-detail-days", "30"}, db);
  CHECK(wait_until_empty(db, "windows") == 0);
  CHECK(wait_until_empty(db, "segments") == 0);
  CHECK(rows(db, "window_labels") == 0);
  CHECK(rows(db, "log_entries") == lines);
  CHECK(rows(db, "recordings") == 1);

  // The log still reads as before: every line, as people read it. (The assistant answering from
  // kept lines is checked in tests/unit/server/test_retention_schedule.cpp; this untrained test
  // model's lines are "unclear motion", which no question asks about.)
  auto c = server.client();
  const json logs = json_of(c->Get("/v1/logs?from=2024-03-10T00:00:00Z&to=2024-03-11T00:00:00Z&tz=UTC", bearer(token)));
  CHECK(logs["entries"].size() == static_cast<size_t>(lines));
  REQUIRE_FALSE(logs["lines"].empty());
  CHECK(logs["lines"][0]["line"].get<std::string>().rfind("[13:00] Motion: ", 0) == 0);
  CHECK(server.terminate() == 0);
  CHECK(server.stderr_text().find("retention: dropped detail older than 30 days") != std::string::npos);
}

TEST_CASE("imu2clip prune drops old detail offline and keeps the log lines", "[integration][cli][retention]") {
  std::string db;
  {
    ServerProcess server;
    db = server.db();
    tagged_upload(*server.client(), server.first_token(), "2024-03-10T13:00:00Z");
    REQUIRE(server.terminate() == 0);
  }
  const int64_t windows = rows(db, "windows");
  const int64_t lines = rows(db, "log_entries");
  REQUIRE(windows > 0);

  const auto out = run_process({imu2clip_binary(), "prune", "--db", db, "--older-than-days", "30"});
  INFO(out.out + out.err);
  CHECK(out.exit_code == 0);
  CHECK(out.out.find("dropped detail older than 30 days: " + std::to_string(windows) + " windows") !=
        std::string::npos);
  CHECK(rows(db, "windows") == 0);
  CHECK(rows(db, "log_entries") == lines);

  const auto missing = run_process({imu2clip_binary(), "prune", "--db", db + ".nope", "--older-than-days", "30"});
  CHECK(missing.exit_code != 0);
  CHECK_FALSE(std::ifstream(db + ".nope").good());
}
