#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "common/error.h"
#include "storage/sqlite_db.h"
#include "tests/support/test_paths.h"

using namespace imu2clip;

TEST_CASE("Statement binds and reads back integers, reals, text and NULL", "[storage][sqlite]") {
  Database db(":memory:");
  db.exec("CREATE TABLE t(i INTEGER, r REAL, s TEXT, n INTEGER)");
  std::optional<int64_t> none;
  db.prepare("INSERT INTO t VALUES(?1, ?2, ?3, ?4)")
      .bind_all(int64_t{1} << 40, 2.5, std::string("h\xC3\xA9llo"), none)
      .run();
  auto s = db.prepare("SELECT i, r, s, n FROM t");
  REQUIRE(s.step());
  CHECK(s.column_int64(0) == (int64_t{1} << 40));
  CHECK(s.column_double(1) == 2.5);
  CHECK(s.column_text(2) == "h\xC3\xA9llo");
  CHECK(s.column_is_null(3));
  CHECK_FALSE(s.column_optional_int64(3).has_value());
  CHECK_FALSE(s.step());
}

TEST_CASE("SQL errors are Database errors naming SQLite's message and the SQL", "[storage][sqlite]") {
  Database db(":memory:");
  try {
    db.prepare("SELECT * FROM missing_table");
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::Database);
    CHECK_THAT(e.what(), Catch::Contains("no such table: missing_table"));
    CHECK_THAT(e.what(), Catch::Contains("SELECT * FROM missing_table"));
  }
  db.exec("CREATE TABLE u(x INTEGER UNIQUE)");
  db.exec("INSERT INTO u VALUES(1)");
  auto insert = db.cached("INSERT INTO u VALUES(?1)");
  insert->bind_all(1);
  CHECK_THROWS_AS(insert->run(), Error);
  // The cached statement stays usable after a failure.
  insert->reset();
  insert->bind_all(2).run();
  CHECK(db.query_int64("SELECT COUNT(*) FROM u") == 2);
}

TEST_CASE("A transaction that is not committed rolls back, also on exceptions", "[storage][sqlite]") {
  Database db(":memory:");
  db.exec("CREATE TABLE t(x INTEGER)");
  {
    Transaction tx(db);
    db.exec("INSERT INTO t VALUES(1)");
  }
  CHECK(db.query_int64("SELECT COUNT(*) FROM t") == 0);
  try {
    Transaction tx(db);
    db.exec("INSERT INTO t VALUES(1)");
    throw std::runtime_error("mid-batch failure");
  } catch (const std::runtime_error&) {
  }
  CHECK_FALSE(db.in_transaction());
  CHECK(db.query_int64("SELECT COUNT(*) FROM t") == 0);
  {
    Transaction tx(db);
    db.exec("INSERT INTO t VALUES(1)");
    tx.commit();
  }
  CHECK(db.query_int64("SELECT COUNT(*) FROM t") == 1);
}

TEST_CASE("Nested transactions are refused instead of silently merged", "[storage][sqlite]") {
  Database db(":memory:");
  Transaction outer(db);
  CHECK_THROWS_AS(Transaction(db), Error);
}

TEST_CASE("Cached statements are prepared once and come back reset", "[storage][sqlite]") {
  Database db(":memory:");
  db.exec("CREATE TABLE t(x INTEGER); INSERT INTO t VALUES(1); INSERT INTO t VALUES(2)");
  Statement* first = nullptr;
  {
    auto s = db.cached("SELECT x FROM t WHERE x >= ?1 ORDER BY x");
    first = &*s;
    REQUIRE(s->bind_all(1).step());  // read one row of two, then drop the handle
    CHECK(s->column_int64(0) == 1);
  }
  auto again = db.cached("SELECT x FROM t WHERE x >= ?1 ORDER BY x");
  CHECK(&*again == first);
  // Bindings were cleared: NULL compares false, so no rows.
  CHECK_FALSE(again->step());
}

TEST_CASE("Opening creates parent directories, a non-database file is refused clearly", "[storage][sqlite]") {
  auto dir = imu2clip::test::make_temp_dir("sqlite-open");
  std::string nested = dir + "/a/b/log.db";
  { Database db(nested); }
  CHECK(std::filesystem::exists(nested));

  std::string junk = dir + "/junk.db";
  std::ofstream(junk) << std::string(4096, 'x');
  try {
    Database db(junk);
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::Database);
    CHECK_THAT(e.what(), Catch::Contains("not a valid imu2clip database"));
  }
}
