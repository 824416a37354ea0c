#include <catch2/catch.hpp>

#include "common/error.h"
#include "storage/log_store.h"
#include "storage/schema.h"
#include "tests/support/test_paths.h"

using namespace imu2clip;

namespace {
std::vector<std::string> table_names(Database& db) {
  std::vector<std::string> names;
  auto s = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
  while (s.step()) names.push_back(s.column_text(0));
  return names;
}
}  // namespace

TEST_CASE("A new database is migrated to the latest schema with every table", "[storage][schema]") {
  auto dir = imu2clip::test::make_temp_dir("schema-new");
  LogStore store(dir + "/log.db");
  CHECK(store.schema_version() == latest_schema_version());
  CHECK(store.database().query_int64("PRAGMA user_version") == latest_schema_version());
  auto names = table_names(store.database());
  for (const char* t : {"users", "devices", "recordings", "windows", "window_labels", "segments", "log_entries"}) {
    CHECK(std::find(names.begin(), names.end(), t) != names.end());
  }
}

TEST_CASE("Reopening a migrated database keeps its version and data", "[storage][schema]") {
  auto dir = imu2clip::test::make_temp_dir("schema-reopen");
  std::string path = dir + "/log.db";
  { LogStore(path).users().ensure("ana", "Europe/Berlin"); }
  for (int i = 0; i < 2; ++i) {
    LogStore store(path);
    CHECK(store.schema_version() == latest_schema_version());
    CHECK(store.count("users") == 1);
    // Running the migrations again changes nothing.
    CHECK(migrate(store.database()) == latest_schema_version());
    CHECK(store.count("users") == 1);
  }
}

TEST_CASE("Migrations are numbered 1..N in order", "[storage][schema]") {
  const auto& steps = schema_migrations();
  REQUIRE_FALSE(steps.empty());
  for (size_t i = 0; i < steps.size(); ++i) CHECK(steps[i].version == static_cast<int>(i) + 1);
}

TEST_CASE("Connections use WAL, enforce foreign keys and wait on locks", "[storage][schema]") {
  auto dir = imu2clip::test::make_temp_dir("schema-pragmas");
  LogStore store(dir + "/log.db");
  auto& db = store.database();
  auto mode = db.prepare("PRAGMA journal_mode");
  REQUIRE(mode.step());
  CHECK(mode.column_text(0) == "wal");
  CHECK(db.query_int64("PRAGMA foreign_keys") == 1);
  CHECK(db.query_int64("PRAGMA busy_timeout") == 5000);
}

TEST_CASE("A database written by a newer imu2clip is refused", "[storage][schema]") {
  auto dir = imu2clip::test::make_temp_dir("schema-newer");
  std::string path = dir + "/log.db";
  { Database(path).exec("PRAGMA user_version = 999"); }
  try {
    LogStore store(path);
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::Database);
    CHECK_THAT(e.what(), Catch::Contains("newer than this imu2clip supports"));
  }
}
