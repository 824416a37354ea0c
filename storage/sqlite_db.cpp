#include "storage/sqlite_db.h"

#include <sqlite3.h>

#include <filesystem>
#include <system_error>

#include "common/error.h"

namespace imu2clip {
namespace {

// Long SQL (e.g. a whole migration) would drown the message; the start identifies it.
std::string abbreviate(const std::string& sql) {
  constexpr size_t kMax = 240;
  return sql.size() <= kMax ? sql : sql.substr(0, kMax) + "...";
}

std::string hint_for(int rc) {
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return " (another process is writing to this database; retry when it has finished)";
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
      return " (check that the file and its directory exist and are writable)";
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return " (the file is not a valid imu2clip database; restore it from a backup or use a new path)";
    case SQLITE_FULL:
      return " (the disk is full; free some space)";
    default:
      return "";
  }
}

// The file behind a connection, for the error's location ("" for in-memory databases).
std::string file_of(sqlite3* db) {
  const char* name = db ? sqlite3_db_filename(db, "main") : nullptr;
  return name ? name : "";
}

[[noreturn]] void throw_db(sqlite3* db, int rc, const std::string& what, const std::string& sql,
                           const std::string& path = {}) {
  std::string message = what + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)) + " [" +
                        sqlite3_errstr(rc) + "]" + hint_for(rc);
  if (!sql.empty()) message += "; SQL: " + abbreviate(sql);
  throw Error(ErrorKind::Database, message, ErrorContext{path.empty() ? file_of(db) : path, 0, ""});
}

bool is_memory_path(const std::string& path) {
  return path.empty() || path == ":memory:" || path.rfind("file:", 0) == 0;
}

}  // namespace

// ---------------------------------------------------------------- Statement

Statement::Statement(sqlite3* db, const std::string& sql) : db_(db), sql_(sql) {
  int rc = sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &stmt_, nullptr);
  if (rc != SQLITE_OK) throw_db(db_, rc, "cannot prepare statement", sql_);
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), stmt_(other.stmt_), sql_(std::move(other.sql_)) {
  other.stmt_ = nullptr;
}

void Statement::fail(int rc, const std::string& what) const { throw_db(db_, rc, what, sql_); }

Statement& Statement::bind(int index, int64_t value) {
  if (int rc = sqlite3_bind_int64(stmt_, index, value); rc != SQLITE_OK) fail(rc, "cannot bind parameter");
  return *this;
}

Statement& Statement::bind(int index, double value) {
  if (int rc = sqlite3_bind_double(stmt_, index, value); rc != SQLITE_OK) fail(rc, "cannot bind parameter");
  return *this;
}

Statement& Statement::bind(int index, const std::string& value) {
  int rc = sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
  if (rc != SQLITE_OK) fail(rc, "cannot bind parameter");
  return *this;
}

Statement& Statement::bind(int index, const char* value) {
  return value ? bind(index, std::string(value)) : bind(index, std::nullopt);
}

Statement& Statement::bind(int index, std::nullopt_t) {
  if (int rc = sqlite3_bind_null(stmt_, index); rc != SQLITE_OK) fail(rc, "cannot bind parameter");
  return *this;
}

Statement& Statement::bind(int index, const BlobRef& value) {
  // A zero-length blob needs a non-null pointer, or SQLite binds NULL.
  static const char kEmpty = 0;
  int rc = sqlite3_bind_blob64(stmt_, index, value.size ? value.data : &kEmpty, value.size, SQLITE_TRANSIENT);
  if (rc != SQLITE_OK) fail(rc, "cannot bind parameter");
  return *this;
}

bool Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  // Reset first so the statement (often a cached one) is reusable after the exception.
  std::string message = sqlite3_errmsg(db_);
  sqlite3_reset(stmt_);
  throw Error(ErrorKind::Database, "statement failed: " + message + " [" + sqlite3_errstr(rc) + "]" +
                                       hint_for(rc) + "; SQL: " + abbreviate(sql_),
              ErrorContext{file_of(db_), 0, ""});
}

void Statement::run() {
  while (step()) {
  }
  reset();
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

bool Statement::column_is_null(int index) const { return sqlite3_column_type(stmt_, index) == SQLITE_NULL; }
int64_t Statement::column_int64(int index) const { return sqlite3_column_int64(stmt_, index); }
double Statement::column_double(int index) const { return sqlite3_column_double(stmt_, index); }

std::string Statement::column_text(int index) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, index));
  if (!text) return {};
  return std::string(text, static_cast<size_t>(sqlite3_column_bytes(stmt_, index)));
}

std::optional<int64_t> Statement::column_optional_int64(int index) const {
  if (column_is_null(index)) return std::nullopt;
  return column_int64(index);
}

std::optional<std::string> Statement::column_optional_text(int index) const {
  if (column_is_null(index)) return std::nullopt;
  return column_text(index);
}

BlobRef Statement::column_blob(int index) const {
  // sqlite3_column_blob before sqlite3_column_bytes: the documented safe order.
  const void* data = sqlite3_column_blob(stmt_, index);
  return {data, static_cast<size_t>(sqlite3_column_bytes(stmt_, index))};
}

CachedStatement::~CachedStatement() { statement_->reset(); }

// ---------------------------------------------------------------- Database

Database::Database(const std::string& path, DatabaseOptions options) : path_(path) {
  if (options.create && !is_memory_path(path)) {
    auto parent = std::filesystem::path(path).parent_path();
    std::error_code ec;
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    if (ec) {
      throw Error(ErrorKind::Io, "cannot create directory '" + parent.string() + "': " + ec.message() +
                                     "; choose a database path in a writable directory",
                  ErrorContext{path, 0, ""});
    }
  }
  // A connection is only ever used by one thread at a time (LogStore is one per thread; the pool
  // hands connections out exclusively), so SQLite's per-call connection mutex is pure overhead:
  // it was ~20 % of a /v1/ask under 16 concurrent clients.
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX |
              (options.create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw Error(ErrorKind::Database, "cannot open database: " + message + hint_for(rc), ErrorContext{path, 0, ""});
  }
  sqlite3_extended_result_codes(db_, 1);
  try {
    sqlite3_busy_timeout(db_, options.busy_timeout_ms);
    exec("PRAGMA foreign_keys = ON");
    // Deleting a recording, a range of the log or a user is a promise that the data is gone.
    // Without secure_delete SQLite only unlinks a deleted row: its bytes stay in the page's free
    // space (and on freelist pages) until reused, readable by anyone who gets the file or a copy
    // of it. ON overwrites them with zeros, in the pages the WAL checkpoints back into the file.
    exec("PRAGMA secure_delete = ON");
    // A new file frees the pages of deleted data back to the file system on request
    // (storage/retention.h: reclaim_free_pages). Only possible before the file has its first page
    // (and before WAL mode writes it); an older file keeps reusing its free pages instead.
    if (options.create && query_int64("PRAGMA page_count") == 0) exec("PRAGMA auto_vacuum = INCREMENTAL");
    if (options.wal) {
      // Reading the journal mode back also catches a file that is not a database at all.
      auto stmt = prepare("PRAGMA journal_mode = WAL");
      stmt.step();
      // WAL + NORMAL: a crashed process never corrupts the file or loses committed batches.
      exec("PRAGMA synchronous = NORMAL");
    }
    if (options.sync_every_commit) exec("PRAGMA synchronous = FULL");
  } catch (...) {
    cache_.clear();
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw;
  }
}

Database::~Database() {
  cache_.clear();  // statements must be finalized before the connection closes
  sqlite3_close_v2(db_);
}

void Database::exec(const std::string& sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string message = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    throw Error(ErrorKind::Database, "statement failed: " + message + " [" + sqlite3_errstr(rc) + "]" +
                                         hint_for(rc) + "; SQL: " + abbreviate(sql),
                ErrorContext{path_, 0, ""});
  }
}

Statement Database::prepare(const std::string& sql) { return Statement(db_, sql); }

CachedStatement Database::cached(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) it = cache_.emplace(sql, std::make_unique<Statement>(db_, sql)).first;
  return CachedStatement(*it->second);
}

int64_t Database::query_int64(const std::string& sql) {
  auto stmt = prepare(sql);
  if (!stmt.step()) {
    throw Error(ErrorKind::Internal, "query returned no row: " + abbreviate(sql));
  }
  return stmt.column_int64(0);
}

int64_t Database::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
int Database::changes() const { return sqlite3_changes(db_); }
bool Database::in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }

// ---------------------------------------------------------------- Transaction

Transaction::Transaction(Database& db, Mode mode) : db_(db) {
  if (db_.in_transaction()) {
    throw Error(ErrorKind::Internal, "nested transaction on " + db_.path() + ": finish the open one first");
  }
  switch (mode) {
    case Mode::Deferred: db_.exec("BEGIN DEFERRED"); break;
    case Mode::Immediate: db_.exec("BEGIN IMMEDIATE"); break;
    case Mode::Exclusive: db_.exec("BEGIN EXCLUSIVE"); break;
  }
  open_ = true;
}

Transaction::~Transaction() {
  if (!open_) return;
  try {
    rollback();
  } catch (...) {
    // Destructors must not throw; SQLite rolls back on its own when the connection closes.
  }
}

void Transaction::commit() {
  if (!open_) throw Error(ErrorKind::Internal, "commit() on a transaction that is not open");
  db_.exec("COMMIT");
  open_ = false;
}

void Transaction::rollback() {
  if (!open_) return;
  open_ = false;
  // SQLite may already have rolled back by itself (e.g. after SQLITE_FULL).
  if (db_.in_transaction()) db_.exec("ROLLBACK");
}

}  // namespace imu2clip
