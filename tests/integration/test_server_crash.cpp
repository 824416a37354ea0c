// Integration tests: the real `imu2clip serve` killed with SIGKILL (a crash, an OOM kill) in the
// middle of writing, then restarted on the same database. The file must pass SQLite's integrity
// check, hold everything the server acknowledged exactly once, and a client that retries what was
// not acknowledged must end up with all of it, still once.
#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <sstream>
#include <thread>
#include <vector>

#include "tests/integration/test_server_harness.h"

using namespace imu2clip;
using namespace imu2clip::test;
using nlohmann::json;

namespace {

// A read-only connection, as an operator would inspect the file: it changes nothing the restarted
// server would then find.
class ReadOnlyDb {
 public:
  explicit ReadOnlyDb(const std::string& path) {
    const int rc = sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr);
    INFO(path << ": " << sqlite3_errstr(rc));
    REQUIRE(rc == SQLITE_OK);
    sqlite3_busy_timeout(db_, 5000);
  }
  ~ReadOnlyDb() { sqlite3_close(db_); }
  ReadOnlyDb(const ReadOnlyDb&) = delete;
  ReadOnlyDb& operator=(const ReadOnlyDb&) = delete;

  // The first column of the first row, as text ("" when there is no row).
  std::string text(const std::string& sql, std::vector<int64_t> args = {}) {
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr);
    INFO(sql << ": " << sqlite3_errmsg(db_));
    REQUIRE(rc == SQLITE_OK);
    for (size_t i = 0; i < args.size(); ++i) sqlite3_bind_int64(stmt, static_cast<int>(i + 1), args[i]);
    std::string out;
    const int step = sqlite3_step(stmt);
    if (step == SQLITE_ROW && sqlite3_column_text(stmt, 0))
      out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    const bool ok = step == SQLITE_ROW || step == SQLITE_DONE;
    sqlite3_finalize(stmt);
    INFO(sql << ": " << sqlite3_errmsg(db_));
    REQUIRE(ok);
    return out;
  }
  int64_t number(const std::string& sql, std::vector<int64_t> args = {}) {
    const std::string t = text(sql, std::move(args));
    return t.empty() ? 0 : std::stoll(t);
  }
  std::string integrity() { return text("PRAGMA integrity_check"); }

 private:
  sqlite3* db_ = nullptr;
};

constexpr int64_t kMinuteMs = 60'000;

// `n` import lines, one label each, a minute apart from `first_ms`: every line is one log entry
// with its own time, so entries can be counted per time range.
std::string import_body(int64_t first_ms, int n) {
  std::string body;
  body.reserve(static_cast<size_t>(n) * 64);
  for (int i = 0; i < n; ++i) {
    const int64_t t_s = (first_ms + i * kMinuteMs) / 1000;
    body += "{\"t\":" + std::to_string(t_s) + ",\"duration_s\":60,\"labels\":[\"walking\"]}\n";
  }
  return body;
}

int64_t entries_between(ReadOnlyDb& db, int64_t from_ms, int64_t to_ms) {
  return db.number("SELECT COUNT(*) FROM log_entries WHERE t_utc_ms >= ?1 AND t_utc_ms < ?2", {from_ms, to_ms});
}

int64_t distinct_between(ReadOnlyDb& db, int64_t from_ms, int64_t to_ms) {
  return db.number("SELECT COUNT(DISTINCT t_utc_ms) FROM log_entries WHERE t_utc_ms >= ?1 AND t_utc_ms < ?2",
                   {from_ms, to_ms});
}

json imu_batch(int64_t start_ms, int seconds) {
  json samples = json::array();
  for (int i = 0; i < seconds * 50; ++i) {
    const double t = static_cast<double>(start_ms) / 1000.0 + i / 50.0;
    samples.push_back({std::sin(t), 0.5, 9.8, 0.01 * std::cos(t), 0.0, 0.0});
  }
  return {{"device", "watch"}, {"device_kind", "watch"}, {"start", start_ms}, {"rate_hz", 50}, {"samples", samples}};
}

}  // namespace

TEST_CASE("an import killed midway keeps whole chunks and what was acknowledged and re-sending completes it once",
          "[integration][server][crash]") {
  // Far apart, so each import's entries are counted by time range alone.
  constexpr int64_t kSmallFromMs = 1'577'836'800'000;  // 2020-01-01: small imports, 50 lines each
  constexpr int64_t kBigFromMs = 1'640'995'200'000;    // 2022-01-01: the large one
  constexpr int kSmallLines = 50;
  constexpr int kBigLines = 300'000;  // about 17 MiB, under the 32 MiB body limit; 150 chunks
  const std::string big = import_body(kBigFromMs, kBigLines);
  const int64_t big_to = kBigFromMs + kBigLines * kMinuteMs;

  auto server = std::make_unique<ServerProcess>();
  const std::string db = server->db();
  const std::string token = server->first_token();
  const auto auth = bearer(token);

  // Another client keeps importing small files meanwhile; it records which were acknowledged.
  std::atomic<bool> stop_small{false};
  std::atomic<int> small_acknowledged{0}, small_sent{0};
  std::thread small_client([&] {
    auto c = server->client();
    for (int k = 0; !stop_small; ++k) {
      small_sent = k + 1;
      auto r = c->Post("/v1/logs/import", auth, import_body(kSmallFromMs + k * 1000 * kMinuteMs, kSmallLines),
                       "application/x-ndjson");
      if (!r) break;  // the server is gone
      if (r->status == 429) {  // the per-user rate limit: not acknowledged, sent again
        --k;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        continue;
      }
      if (r->status != 200 || json::parse(r->body)["imported"] != kSmallLines) break;
      small_acknowledged = k + 1;
    }
  });
  std::atomic<bool> big_answered{false};
  std::thread big_client([&] {
    auto c = server->client();
    c->set_read_timeout(120, 0);
    auto r = c->Post("/v1/logs/import", auth, big, "application/x-ndjson");
    big_answered = static_cast<bool>(r);
  });

  // SIGKILL once the large import has committed its first chunk, and while small imports are
  // being acknowledged.
  {
    ReadOnlyDb watch(db);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(2);
    while ((entries_between(watch, kBigFromMs, big_to) == 0 || small_acknowledged < 2) &&
           std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  server->kill_now();
  stop_small = true;
  big_client.join();
  small_client.join();
  REQUIRE_FALSE(big_answered);  // killed before the import finished: the test means nothing otherwise
  const int acknowledged = small_acknowledged;
  REQUIRE(acknowledged >= 2);

  int64_t committed = 0;
  {
    ReadOnlyDb file(db);
    CHECK(file.integrity() == "ok");
    // Every acknowledged small import is there, exactly once.
    for (int k = 0; k < acknowledged; ++k) {
      const int64_t from = kSmallFromMs + k * 1000 * kMinuteMs;
      INFO("small import " << k);
      CHECK(entries_between(file, from, from + kSmallLines * kMinuteMs) == kSmallLines);
      CHECK(distinct_between(file, from, from + kSmallLines * kMinuteMs) == kSmallLines);
    }
    // The one in flight (if any) is one transaction: all or nothing.
    for (int k = acknowledged; k < small_sent; ++k) {
      const int64_t from = kSmallFromMs + k * 1000 * kMinuteMs;
      const int64_t n = entries_between(file, from, from + kSmallLines * kMinuteMs);
      INFO("unacknowledged small import " << k);
      CHECK((n == 0 || n == kSmallLines));
    }
    // The large import: whole chunks of 2 000 entries, the earliest first, nothing twice.
    committed = entries_between(file, kBigFromMs, big_to);
    INFO("entries of the large import committed before the kill: " << committed);
    CHECK(committed > 0);
    CHECK(committed < kBigLines);
    CHECK(committed % 2000 == 0);
    CHECK(distinct_between(file, kBigFromMs, big_to) == committed);
    CHECK(file.number("SELECT MAX(t_utc_ms) FROM log_entries WHERE t_utc_ms >= ?1 AND t_utc_ms < ?2",
                      {kBigFromMs, big_to}) == kBigFromMs + (committed - 1) * kMinuteMs);
  }

  // Restarted on the same file, the client sends the large import again: the rest is added, what
  // the killed run committed is recognised, nothing is doubled.
  server = std::make_unique<ServerProcess>(std::vector<std::string>{}, db);
  auto c = server->client();
  c->set_read_timeout(120, 0);
  const json again = json_of(c->Post("/v1/logs/import", auth, big, "application/x-ndjson"));
  INFO(again.dump());
  CHECK(again["lines"] == kBigLines);
  CHECK(again["imported"] == kBigLines - committed);
  CHECK(again["duplicates"] == committed);
  const json once_more = json_of(c->Post("/v1/logs/import", auth, big, "application/x-ndjson"));
  CHECK(once_more["imported"] == 0);
  CHECK(once_more["duplicates"] == kBigLines);
  CHECK(server->terminate() == 0);

  ReadOnlyDb file(db);
  CHECK(file.integrity() == "ok");
  CHECK(entries_between(file, kBigFromMs, big_to) == kBigLines);
  CHECK(distinct_between(file, kBigFromMs, big_to) == kBigLines);
  for (int k = 0; k < acknowledged; ++k) {
    const int64_t from = kSmallFromMs + k * 1000 * kMinuteMs;
    CHECK(entries_between(file, from, from + kSmallLines * kMinuteMs) == kSmallLines);
  }
}

TEST_CASE("live IMU acknowledged before a SIGKILL is tagged after a restart, each window once",
          "[integration][server][crash]") {
  constexpr int64_t kStartMs = 1'710'057'600'000;  // 2024-03-10T08:00:00Z
  constexpr int kBatchS = 10;
  auto server = std::make_unique<ServerProcess>();
  const std::string db = server->db();
  const auto auth = bearer(server->first_token());

  // One device streams contiguous 10 s batches; the server is killed while it still streams
  // (and, most likely, while the tagger is behind).
  std::atomic<int> acknowledged{0};
  std::thread device([&] {
    auto c = server->client();
    for (int k = 0;; ++k) {
      auto r = c->Post("/v1/imu", auth, imu_batch(kStartMs + k * kBatchS * 1000, kBatchS).dump(), "application/json");
      if (!r) return;
      if (r->status == 429) {
        --k;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        continue;
      }
      if (r->status != 202) return;
      acknowledged = k + 1;
    }
  });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(2);
  while (acknowledged < 12 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  server->kill_now();
  device.join();
  const int acked = acknowledged;
  REQUIRE(acked >= 12);

  int64_t recording = 0;
  {
    ReadOnlyDb file(db);
    CHECK(file.integrity() == "ok");
    REQUIRE(file.number("SELECT COUNT(*) FROM recordings") == 1);
    recording = file.number("SELECT id FROM recordings");
    INFO("windows tagged before the kill: " << file.number("SELECT COUNT(*) FROM windows"));
    // Every acknowledged sample is on disk, tagged or not: the stored samples and the tagged
    // windows together reach the end of the last acknowledged batch.
    const int64_t stored_until = file.number("SELECT MAX(t_utc_ms) FROM live_samples");
    const int64_t tagged_until =
        kStartMs + static_cast<int64_t>(std::llround(
                       1000 * std::stod(file.text("SELECT tagged_until_s FROM recordings WHERE id = ?1", {recording}))));
    CHECK(std::max(stored_until, tagged_until) >= kStartMs + acked * kBatchS * 1000 - 20);
  }

  // The restarted server tags the backlog; SIGTERM then flushes it to the last sample.
  server = std::make_unique<ServerProcess>(std::vector<std::string>{}, db);
  CHECK(server->terminate() == 0);
  ReadOnlyDb file(db);
  CHECK(file.integrity() == "ok");
  const int64_t windows = file.number("SELECT COUNT(*) FROM windows WHERE recording_id = ?1", {recording});
  // Each 5 s window once, without holes: at least the acknowledged batches, at most one more
  // batch (sent, committed, but killed before its answer).
  CHECK(file.number("SELECT COUNT(DISTINCT start_ms) FROM windows WHERE recording_id = ?1", {recording}) == windows);
  CHECK(file.number("SELECT MAX(start_ms) FROM windows WHERE recording_id = ?1", {recording}) == (windows - 1) * 5000);
  CHECK(windows >= acked * kBatchS / 5 - 1);
  CHECK(windows <= (acked + 1) * kBatchS / 5);
  CHECK(file.number("SELECT COUNT(*) FROM log_entries WHERE recording_id = ?1", {recording}) >= 1);
}
