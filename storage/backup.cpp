#include "storage/backup.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <system_error>
#include <thread>

#include "common/error.h"
#include "storage/schema.h"
#include "storage/sqlite_db.h"

namespace imu2clip {
namespace fs = std::filesystem;
namespace {

// The files SQLite keeps next to a database. A leftover one belongs to whatever file last had
// the name: next to a different database it would be replayed into it (WAL, hot journal) and
// corrupt it.
const char* const kCompanionSuffixes[] = {"-wal", "-shm", "-journal"};

void remove_file(const std::string& path) {
  std::error_code ec;
  fs::remove(path, ec);
  if (ec) throw Error(ErrorKind::Io, "cannot remove '" + path + "': " + ec.message(), ErrorContext{path, 0, ""});
}

void remove_with_companions(const std::string& path) {
  remove_file(path);
  for (const char* suffix : kCompanionSuffixes) remove_file(path + suffix);
}

bool same_file(const std::string& a, const std::string& b) {
  std::error_code ec;
  return fs::exists(a, ec) && fs::exists(b, ec) && fs::equivalent(a, b, ec);
}

// Makes a rename durable: the new directory entry reaches the disk, not only the file's pages.
void sync_parent_directory(const std::string& path) {
  std::string dir = fs::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return;  // some file systems refuse to open directories; the rename still happened
  ::fsync(fd);
  ::close(fd);
}

void refuse_existing(const std::string& path, bool overwrite, const char* flag_hint) {
  std::error_code ec;
  if (!overwrite && fs::exists(path, ec)) {
    throw Error(ErrorKind::InvalidInput,
                std::string("already exists; choose another path or pass ") + flag_hint + " to replace it",
                ErrorContext{path, 0, ""});
  }
}

// `PRAGMA integrity_check` on the whole file; throws Corrupt with SQLite's first findings.
// A page too damaged to read fails the check itself (SQLITE_CORRUPT): reported the same way.
void check_integrity(Database& db, const std::string& named_as) {
  std::string findings;
  try {
    auto stmt = db.prepare("PRAGMA integrity_check(5)");
    while (stmt.step()) {
      const std::string row = stmt.column_text(0);
      if (row == "ok") return;
      findings += (findings.empty() ? "" : "; ") + row;
    }
  } catch (const Error& e) {
    findings = e.message();
  }
  throw Error(ErrorKind::Corrupt, "integrity check failed: " + findings, ErrorContext{named_as, 0, ""});
}

// The schema version of an imu2clip database; 0 (no tables) means the file is something else.
int schema_version_of(Database& db, const std::string& named_as) {
  const int version = static_cast<int>(db.query_int64("PRAGMA user_version"));
  if (version < 1) {
    throw Error(ErrorKind::InvalidInput, "not an imu2clip database (schema version 0)", ErrorContext{named_as, 0, ""});
  }
  return version;
}

// Copies every page of `source` (whose read transaction the caller holds open, so each step
// sees the same snapshot and the copy never restarts however much others write meanwhile) into
// `dest`, a few pages per step so progress can be reported.
int64_t copy_pages(Database& source, Database& dest, const CopyOptions& options, const CopyProgress& progress,
                   const std::string& source_name) {
  sqlite3_backup* backup = sqlite3_backup_init(dest.handle(), "main", source.handle(), "main");
  if (!backup) {
    throw Error(ErrorKind::Database, std::string("cannot start the copy: ") + sqlite3_errmsg(dest.handle()),
                ErrorContext{source_name, 0, ""});
  }
  const auto give_up_at = std::chrono::steady_clock::now() + std::chrono::milliseconds(options.busy_retry_ms);
  int rc = SQLITE_OK;
  while (true) {
    rc = sqlite3_backup_step(backup, options.pages_per_step > 0 ? options.pages_per_step : -1);
    if (rc == SQLITE_OK || rc == SQLITE_DONE) {
      const int64_t total = sqlite3_backup_pagecount(backup);
      if (progress) progress(total - sqlite3_backup_remaining(backup), total);
      if (rc == SQLITE_DONE) break;
      continue;
    }
    // Another connection holds a lock the step needs (e.g. a checkpoint): wait a little.
    const int primary = rc & 0xff;
    if ((primary == SQLITE_BUSY || primary == SQLITE_LOCKED) && std::chrono::steady_clock::now() < give_up_at) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      continue;
    }
    break;
  }
  const int64_t pages = sqlite3_backup_pagecount(backup);
  const int finish_rc = sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE || finish_rc != SQLITE_OK) {
    const int failed = rc != SQLITE_DONE ? rc : finish_rc;
    throw Error(ErrorKind::Database,
                std::string("copy failed: ") + sqlite3_errstr(failed) + " (" + sqlite3_errmsg(dest.handle()) + ")",
                ErrorContext{source_name, 0, ""});
  }
  return pages;
}

void count_into(Database& db, CopyReport& report) {
  report.users = count_rows(db, "users");
  report.recordings = count_rows(db, "recordings");
  report.log_entries = count_rows(db, "log_entries");
}

// The copy under its temporary name: created empty in rollback-journal mode so nothing but the
// one file is left once it closes.
DatabaseOptions temporary_copy_options() {
  DatabaseOptions options;
  options.wal = false;
  return options;
}

// Reads an existing database without changing its journal mode or creating it.
DatabaseOptions existing_file_options() {
  DatabaseOptions options;
  options.create = false;
  options.wal = false;
  return options;
}

void require_file(const std::string& path, const char* what) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    throw Error(ErrorKind::NotFound, std::string("no such ") + what + " file", ErrorContext{path, 0, ""});
  }
}

// Renames the checked temporary copy onto its final name.
void put_in_place(const std::string& tmp, const std::string& final_path) {
  std::error_code ec;
  fs::rename(tmp, final_path, ec);
  if (ec) {
    throw Error(ErrorKind::Io, "cannot rename '" + tmp + "' to '" + final_path + "': " + ec.message(),
                ErrorContext{final_path, 0, ""});
  }
  sync_parent_directory(final_path);
}

}  // namespace

CopyReport backup_database(const std::string& db_path, const std::string& out_path, const CopyOptions& options,
                           const CopyProgress& progress) {
  require_file(db_path, "database");
  if (same_file(db_path, out_path)) {
    throw Error(ErrorKind::InvalidInput, "the backup would replace the database itself; choose another --out",
                ErrorContext{out_path, 0, ""});
  }
  refuse_existing(out_path, options.overwrite, "--force");

  const std::string tmp = out_path + ".tmp";
  remove_with_companions(tmp);  // an interrupted earlier backup
  CopyReport report;
  report.path = out_path;
  try {
    Database source(db_path, existing_file_options());
    report.schema_version = schema_version_of(source, db_path);
    Database dest(tmp, temporary_copy_options());
    // A read transaction for the whole copy: in WAL mode it never blocks the server's writer.
    Transaction snapshot(source, Transaction::Mode::Deferred);
    source.query_int64("SELECT COUNT(*) FROM sqlite_master");
    report.pages = copy_pages(source, dest, options, progress, db_path);
    snapshot.rollback();
    check_integrity(dest, tmp);
    count_into(dest, report);
  } catch (...) {
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(tmp + suffix, ec);
    throw;
  }
  refuse_existing(out_path, options.overwrite, "--force");  // created while the copy ran?
  put_in_place(tmp, out_path);
  std::error_code ec;
  report.bytes = static_cast<int64_t>(fs::file_size(out_path, ec));
  return report;
}

CopyReport restore_database(const std::string& backup_path, const std::string& db_path, const CopyOptions& options,
                            const CopyProgress& progress) {
  require_file(backup_path, "backup");
  if (same_file(backup_path, db_path)) {
    throw Error(ErrorKind::InvalidInput, "the backup and the database are the same file", ErrorContext{db_path, 0, ""});
  }
  refuse_existing(db_path, options.overwrite, "--force");
  std::error_code ec;
  if (fs::exists(db_path, ec) && database_in_use(db_path)) {
    throw Error(ErrorKind::InvalidInput,
                "the database is open in another process (a running 'imu2clip serve'?); stop it before restoring",
                ErrorContext{db_path, 0, ""});
  }

  const std::string tmp = db_path + ".tmp";
  remove_with_companions(tmp);
  CopyReport report;
  report.path = db_path;
  try {
    {
      Database source(backup_path, existing_file_options());
      const int version = schema_version_of(source, backup_path);
      if (version > latest_schema_version()) {
        throw Error(ErrorKind::InvalidInput,
                    "the backup has schema v" + std::to_string(version) + ", newer than this imu2clip supports (v" +
                        std::to_string(latest_schema_version()) + "); restore it with a newer imu2clip",
                    ErrorContext{backup_path, 0, ""});
      }
      Database dest(tmp, temporary_copy_options());
      Transaction snapshot(source, Transaction::Mode::Deferred);
      source.query_int64("SELECT COUNT(*) FROM sqlite_master");
      report.pages = copy_pages(source, dest, options, progress, backup_path);
      snapshot.rollback();
      check_integrity(dest, backup_path);
      // An older backup is brought up to this build's schema before it takes the name.
      report.schema_version = migrate(dest);
      count_into(dest, report);
    }
    // Closing the copy's connections checkpointed and removed its own -wal/-shm.
    for (const char* suffix : kCompanionSuffixes) {
      if (fs::exists(tmp + suffix, ec)) {
        throw Error(ErrorKind::Io, "the restored copy left '" + tmp + suffix + "' behind; is it open elsewhere?",
                    ErrorContext{tmp, 0, ""});
      }
    }
  } catch (...) {
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(tmp + suffix, ec);
    throw;
  }
  // The old database's -wal/-shm/-journal go before the rename, not after: were the process to
  // stop between the two, a stale WAL or hot journal beside the restored file would be replayed
  // into it on the next open and corrupt it, while removing them first only loses (a tail of)
  // the old database, which --force asked to replace anyway.
  for (const char* suffix : kCompanionSuffixes) remove_file(db_path + suffix);
  put_in_place(tmp, db_path);
  report.bytes = static_cast<int64_t>(fs::file_size(db_path, ec));
  return report;
}

bool database_in_use(const std::string& db_path) {
  DatabaseOptions options = existing_file_options();
  options.busy_timeout_ms = 200;
  Database db(db_path, options);
  // Exclusive locking mode takes an exclusive lock on the file at the first access, which
  // fails while any other connection (even an idle WAL reader) has it open.
  db.exec("PRAGMA locking_mode = EXCLUSIVE");
  try {
    db.exec("BEGIN EXCLUSIVE");
    db.exec("COMMIT");
    return false;
  } catch (const Error&) {
    const int rc = sqlite3_errcode(db.handle()) & 0xff;
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) return true;
    throw;
  }
}

}  // namespace imu2clip
