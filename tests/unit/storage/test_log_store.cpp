// LogStore: one migrated connection handing out the stores, and several connections (threads,
// processes) sharing one file.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <thread>

#include "common/error.h"
#include "storage/log_store.h"
#include "storage/schema.h"
#include "tests/support/test_paths.h"

using namespace imu2clip;

TEST_CASE("The stores of one LogStore share its connection and schema", "[storage][store]") {
  LogStore store(":memory:");
  CHECK(store.schema_version() == latest_schema_version());
  int64_t ana = store.users().ensure("ana", "UTC");
  RecordingRow row;
  row.user_id = ana;
  row.source_key = "k";
  row.tz = "UTC";
  row.model_id = "m";
  row.start_utc_ms = 1000;
  int64_t rec = store.recordings().create(row);
  LogEntry e;
  e.offset_ms = 0;
  e.text = "walking";
  store.recordings().complete(rec, {}, {e});
  CHECK(store.log().between(ana, 0, 2000).size() == 1);
  CHECK(store.count("users") == 1);
  CHECK(store.count("log_entries") == 1);
  try {
    store.count("sqlite_master; DROP TABLE users");
    FAIL("expected an error");
  } catch (const Error& err) {
    CHECK(err.kind() == ErrorKind::InvalidInput);
    CHECK(err.context().field == "table");
  }
  CHECK(store.count("users") == 1);
}

TEST_CASE("Two connections share a file, a writer waits for the other's lock", "[storage][store][concurrency]") {
  auto dir = imu2clip::test::make_temp_dir("store-two");
  std::string path = dir + "/log.db";
  LogStore a(path);
  LogStore b(path);
  a.users().ensure("ana", "UTC");
  CHECK(b.users().find("ana"));  // committed writes are visible to the other connection

  // While another connection holds the write lock, a short busy timeout fails clearly...
  std::atomic<bool> locked{false};
  std::atomic<bool> release{false};
  std::thread holder([&] {
    Database db(path);
    Transaction tx(db);
    db.exec("INSERT INTO users(name, tz, created_utc_ms, updated_utc_ms) VALUES('held', 'UTC', 0, 0)");
    locked = true;
    while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    tx.commit();
  });
  while (!locked) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  {
    LogStore impatient(path, DatabaseOptions{50});
    try {
      impatient.users().ensure("bob", "UTC");
      FAIL("expected a busy error");
    } catch (const Error& e) {
      CHECK(e.kind() == ErrorKind::Database);
      CHECK_THAT(e.what(), Catch::Contains("another process is writing"));
    }
  }
  // ...while the default timeout waits for the commit and then succeeds.
  release = true;
  auto t0 = std::chrono::steady_clock::now();
  b.users().ensure("bob", "UTC");
  auto waited = std::chrono::steady_clock::now() - t0;
  holder.join();
  CHECK(waited >= std::chrono::milliseconds(200));
  CHECK(a.count("users") == 3);
}

TEST_CASE("A connection can be asked to fsync every commit", "[storage][store]") {
  auto dir = imu2clip::test::make_temp_dir("store-sync");
  DatabaseOptions full;
  full.sync_every_commit = true;
  LogStore durable(dir + "/log.db", full);
  LogStore normal(dir + "/log.db");
  // PRAGMA synchronous: 1 = NORMAL, 2 = FULL.
  CHECK(durable.database().query_int64("PRAGMA synchronous") == 2);
  CHECK(normal.database().query_int64("PRAGMA synchronous") == 1);
}
