#pragma once
// Helpers shared by the storage tests: UTC instants built independently of the code under test,
// and a migrated in-memory database for testing one store on its own.
#include <date/date.h>

#include <chrono>
#include <cstdint>
#include <string>

#include "storage/schema.h"
#include "storage/sqlite_db.h"

namespace imu2clip::test {

inline int64_t utc_ms(int y, unsigned mo, unsigned d, int h = 0, int mi = 0, int s = 0) {
  auto tp = date::sys_days{date::year{y} / mo / d} + std::chrono::hours{h} + std::chrono::minutes{mi} +
            std::chrono::seconds{s};
  return std::chrono::duration_cast<std::chrono::milliseconds>(tp.time_since_epoch()).count();
}

constexpr int64_t kHourMs = 3600 * 1000;

// A real SQLite database with the product schema; ":memory:" unless a file path is given.
struct MigratedDatabase {
  explicit MigratedDatabase(const std::string& path = ":memory:") : db(path) { migrate(db); }
  // Rows in one table, as the store under test left them.
  int64_t count(const std::string& table) { return count_rows(db, table); }
  Database db;
};

}  // namespace imu2clip::test
