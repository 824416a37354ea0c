#pragma once
// Backups of a log database: a consistent copy of a database that a running server keeps
// writing, and putting such a copy back in place. Both go through SQLite's online backup API
// into "<destination>.tmp", check the copy (PRAGMA integrity_check) and only then rename it
// onto the destination, so the destination is always either absent, the old file or a whole,
// checked copy, never a half-written one.
#include <cstdint>
#include <functional>
#include <string>

namespace imu2clip {

// Called after each step of the copy: pages copied so far out of the source's page count.
using CopyProgress = std::function<void(int64_t pages_done, int64_t pages_total)>;

struct CopyOptions {
  bool overwrite = false;     // replace an existing destination (refused otherwise)
  int pages_per_step = 256;   // pages per sqlite3_backup_step: progress granularity
  int busy_retry_ms = 30000;  // how long a step retries while another connection holds a lock
};

// What was copied, as counted in the finished copy.
struct CopyReport {
  std::string path;  // the destination, now the checked copy
  int schema_version = 0;
  int64_t pages = 0;
  int64_t bytes = 0;
  int64_t users = 0;
  int64_t recordings = 0;
  int64_t log_entries = 0;
};

// Copies the log database at `db_path` into `out_path` while other connections (a running
// server) keep writing: the copy is the database as of the moment the copy began. The source
// is only read. Throws NotFound for a missing source, InvalidInput for an existing `out_path`
// without `overwrite` or a source that is not an imu2clip database, Corrupt when the copy
// fails its integrity check, Database/Io for SQLite or file-system failures.
CopyReport backup_database(const std::string& db_path, const std::string& out_path, const CopyOptions& options = {},
                           const CopyProgress& progress = {});

// Puts the backup at `backup_path` in place as the log database `db_path`, upgrading an older
// schema. Refuses a backup that fails its integrity check or was written by a newer imu2clip,
// an existing `db_path` without `overwrite`, and a `db_path` that another process has open
// (a running server). The backup file is only read.
CopyReport restore_database(const std::string& backup_path, const std::string& db_path,
                            const CopyOptions& options = {}, const CopyProgress& progress = {});

// True when another connection has the database at `db_path` open (in WAL mode every open
// connection holds a shared lock on the file, even between transactions).
bool database_in_use(const std::string& db_path);

}  // namespace imu2clip
