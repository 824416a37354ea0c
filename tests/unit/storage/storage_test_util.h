#pragma once
// Helpers shared by the storage tests: a migrated in-memory database for testing one store on
// its own (and UTC instants, tests/support/utc_instants.h).
#include <cstdint>
#include <string>

#include "storage/schema.h"
#include "storage/sqlite_db.h"
#include "tests/support/utc_instants.h"

namespace imu2clip::test {

// A real SQLite database with the product schema; ":memory:" unless a file path is given.
struct MigratedDatabase {
  explicit MigratedDatabase(const std::string& path = ":memory:") : db(path) { migrate(db); }
  // Rows in one table, as the store under test left them.
  int64_t count(const std::string& table) { return count_rows(db, table); }
  Database db;
};

}  // namespace imu2clip::test
