// `imu2clip backup` while the real server keeps ingesting IMU, and `imu2clip restore` of that
// copy into a fresh path that `imu2clip log` reads.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "storage/log_store.h"
#include "storage/sqlite_db.h"
#include "tests/integration/process.h"
#include "tests/integration/test_server_harness.h"

using namespace imu2clip;
using namespace imu2clip::test;
using nlohmann::json;

namespace {

// `seconds` of 50 Hz samples starting `offset_s` after 2024-03-10T08:00:00Z.
json imu_batch_at(int offset_s, int seconds) {
  json samples = json::array();
  for (int i = 0; i < seconds * 50; ++i) samples.push_back({std::sin(i / 50.0), 0.5, 9.8, 0.0, 0.0, 0.0});
  char start[32];
  std::snprintf(start, sizeof start, "2024-03-10T%02d:%02d:%02dZ", 8 + offset_s / 3600, offset_s / 60 % 60,
                offset_s % 60);
  return {{"device", "watch"}, {"device_kind", "watch"}, {"start", start}, {"rate_hz", 50}, {"samples", samples}};
}

}  // namespace

TEST_CASE("backup of a serving database is a consistent copy that restore brings back", "[integration][backup]") {
  ServerProcess server;
  const auto auth = bearer(server.first_token());
  std::atomic<bool> stop{false};
  std::atomic<int> accepted{0}, failed{0};
  std::thread poster([&] {
    auto c = server.client();
    for (int batch = 0; !stop; ++batch) {
      auto r = c->Post("/v1/imu", auth, imu_batch_at(batch * 10, 10).dump(), "application/json");
      (r && (r->status == 200 || r->status == 202)) ? ++accepted : ++failed;
    }
  });
  while (accepted < 3 && failed == 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));

  const std::string backup = server.dir() + "/backup.db";
  const auto made = run_process({imu2clip_binary(), "backup", "--db", server.db(), "--out", backup,
                                 "--pages-per-step", "1"});
  const int accepted_during = accepted;
  // A running server's database is never restored over.
  const auto over_live = run_process({imu2clip_binary(), "restore", "--from", backup, "--db", server.db(), "--force"});
  stop = true;
  poster.join();
  INFO(made.err);
  REQUIRE(made.exit_code == 0);
  CHECK(made.out.find("integrity ok") != std::string::npos);
  CHECK(made.out.find("1 users") != std::string::npos);
  CHECK(failed == 0);
  CHECK(accepted >= accepted_during);
  CHECK(over_live.exit_code != 0);
  CHECK(over_live.err.find("stop it") != std::string::npos);
  CHECK(server.terminate() == 0);

  {
    Database copy(backup, DatabaseOptions{5000, false, false});
    CHECK(copy.query_int64("SELECT COUNT(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'") == 1);
    // A prefix of the server's writes: every row's parent made it into the copy too.
    CHECK(copy.query_int64("SELECT COUNT(*) FROM pragma_foreign_key_check") == 0);
    CHECK(copy.query_int64("SELECT COUNT(*) FROM log_entries WHERE recording_id NOT IN (SELECT id FROM recordings)") ==
          0);
    CHECK(copy.query_int64("SELECT COUNT(*) FROM live_samples WHERE recording_id NOT IN (SELECT id FROM recordings)") ==
          0);
    CHECK(copy.query_int64("SELECT COUNT(*) FROM users") == 1);
    CHECK(copy.query_int64("SELECT COUNT(*) FROM recordings") >= 1);
    // Never more than the server had acknowledged once the copy finished.
    CHECK(copy.query_int64("SELECT COUNT(*) FROM live_samples") <= static_cast<int64_t>(accepted) * 500);
  }

  const std::string restored = server.dir() + "/restored/log.db";
  const auto put_back = run_process({imu2clip_binary(), "restore", "--from", backup, "--db", restored});
  INFO(put_back.err);
  REQUIRE(put_back.exit_code == 0);
  CHECK(put_back.out.find("integrity ok") != std::string::npos);
  CHECK(std::filesystem::exists(restored));
  CHECK_FALSE(std::filesystem::exists(restored + ".tmp"));
  const auto log = run_process({imu2clip_binary(), "log", "--db", restored, "--user", "me"});
  INFO(log.err);
  CHECK(log.exit_code == 0);
  LogStore back(restored);
  CHECK(back.count("users") == 1);
  CHECK(back.count("log_entries") == LogStore(backup).count("log_entries"));

  // A second restore onto the now existing database needs --force.
  const auto again = run_process({imu2clip_binary(), "restore", "--from", backup, "--db", restored});
  CHECK(again.exit_code != 0);
  CHECK(again.err.find("--force") != std::string::npos);
}
