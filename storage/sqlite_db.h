#pragma once
// Thin RAII layer over the SQLite C API. Every failure becomes
// imu2clip::Error(ErrorKind::Database) carrying SQLite's message and the SQL that failed.
// A Database (and its statements) belongs to one thread at a time; open one per thread.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace imu2clip {

struct DatabaseOptions {
  int busy_timeout_ms = 5000;  // how long a writer waits for another connection's lock
  bool create = true;          // create the file (and parent directories) when missing
  bool wal = true;             // WAL: readers never block the single writer
  // fsync every commit, not only at checkpoints: for writers whose commit is a promise to a
  // client (an acknowledged live batch must survive a power cut).
  bool sync_every_commit = false;
};

// Bytes bound to or read from a BLOB column. Reading: valid until the statement steps, resets
// or reads another column of the row.
struct BlobRef {
  const void* data = nullptr;
  size_t size = 0;
};

class Statement {
 public:
  Statement(sqlite3* db, const std::string& sql);
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Parameters are 1-based, as in SQL's ?1, ?2, ...
  Statement& bind(int index, int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<int64_t>(value)); }
  Statement& bind(int index, bool value) { return bind(index, static_cast<int64_t>(value)); }
  Statement& bind(int index, double value);
  Statement& bind(int index, const std::string& value);
  Statement& bind(int index, const char* value);
  Statement& bind(int index, std::nullopt_t);
  Statement& bind(int index, const BlobRef& value);  // SQLite copies the bytes
  template <class T>
  Statement& bind(int index, const std::optional<T>& value) {
    return value ? bind(index, *value) : bind(index, std::nullopt);
  }
  // Binds ?1..?N in order.
  template <class... Args>
  Statement& bind_all(const Args&... args) {
    int index = 0;
    (bind(++index, args), ...);
    return *this;
  }

  // Runs one step: true when a row is available, false when the statement is done.
  bool step();
  // Steps a statement that returns no rows (INSERT/UPDATE/DELETE) and resets it for reuse.
  void run();
  // Makes the statement reusable: resets it and clears its bindings.
  void reset();

  // Columns are 0-based, as in sqlite3_column_*.
  bool column_is_null(int index) const;
  int64_t column_int64(int index) const;
  double column_double(int index) const;
  std::string column_text(int index) const;
  std::optional<int64_t> column_optional_int64(int index) const;
  std::optional<std::string> column_optional_text(int index) const;
  BlobRef column_blob(int index) const;

  const std::string& sql() const { return sql_; }

 private:
  [[noreturn]] void fail(int rc, const std::string& what) const;
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  std::string sql_;
};

class Database;

// A statement from Database::cached(); reset when this handle goes out of scope so a
// half-read SELECT never keeps a read transaction (and its WAL snapshot) open.
class CachedStatement {
 public:
  explicit CachedStatement(Statement& statement) : statement_(&statement) {}
  ~CachedStatement();
  CachedStatement(const CachedStatement&) = delete;
  CachedStatement& operator=(const CachedStatement&) = delete;
  Statement* operator->() { return statement_; }
  Statement& operator*() { return *statement_; }

 private:
  Statement* statement_;
};

// One connection. Not thread-safe (opened with SQLITE_OPEN_NOMUTEX): use it from one thread at
// a time, e.g. one per thread or handed out exclusively by a pool.
class Database {
 public:
  // Opens (and by default creates, with parent directories) the file; ":memory:" works too.
  explicit Database(const std::string& path, DatabaseOptions options = {});
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs one or more SQL statements that return no rows.
  void exec(const std::string& sql);
  // A fresh prepared statement, finalized when it goes out of scope.
  Statement prepare(const std::string& sql);
  // A prepared statement kept for the connection's lifetime: for hot paths run many times.
  CachedStatement cached(const std::string& sql);
  // Runs a query expected to return one integer (e.g. PRAGMA user_version, COUNT(*)).
  int64_t query_int64(const std::string& sql);

  int64_t last_insert_rowid() const;
  int changes() const;          // rows changed by the last INSERT/UPDATE/DELETE
  bool in_transaction() const;  // false in autocommit mode
  const std::string& path() const { return path_; }
  sqlite3* handle() { return db_; }  // for hooks and tests; prefer the methods above

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
  std::unordered_map<std::string, std::unique_ptr<Statement>> cache_;
};

// BEGIN on construction; ROLLBACK on destruction unless commit() was called, so an
// exception anywhere in a batch leaves the database as it was before the batch.
class Transaction {
 public:
  enum class Mode { Deferred, Immediate, Exclusive };
  // Immediate takes the write lock up front: with WAL that is what makes busy_timeout apply
  // to writers (a deferred reader upgraded to writer fails at once with SQLITE_BUSY).
  explicit Transaction(Database& db, Mode mode = Mode::Immediate);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  void commit();
  void rollback();

 private:
  Database& db_;
  bool open_ = false;
};

// A transaction of its own when none is open, else a part of the caller's: lets one store's
// write run alone or inside another store's larger write, which then commits (or rolls back)
// as one.
class WriteScope {
 public:
  explicit WriteScope(Database& db) {
    if (!db.in_transaction()) own_.emplace(db);
  }
  void commit() {
    if (own_) own_->commit();
  }

 private:
  std::optional<Transaction> own_;
};

}  // namespace imu2clip
