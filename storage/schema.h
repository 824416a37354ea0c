#pragma once
// The log store's schema as an ordered list of migrations. The database's
// PRAGMA user_version is the number of migrations applied; each one runs in its own
// transaction, so a crash mid-upgrade leaves the previous, consistent version.
#include <cstdint>
#include <string>
#include <vector>

namespace imu2clip {

class Database;

struct Migration {
  int version;              // user_version after this step (1, 2, ...)
  std::string description;  // logged when applied
  std::string sql;          // one or more statements
};

// All migrations, oldest first; append new steps, never edit shipped ones.
const std::vector<Migration>& schema_migrations();

// The version a fully migrated database has.
int latest_schema_version();

// Applies the missing migrations; returns the resulting version. Throws Database when the
// file was written by a newer imu2clip (its version is above latest_schema_version()).
int migrate(Database& db);

// Number of rows in one of the log's tables (users, devices, recordings, windows,
// window_labels, segments, log_entries, live_streams, live_samples, live_audio_sessions,
// live_audio_chunks, embedding_models, window_embeddings, embedding_counts, upload_jobs);
// throws InvalidInput for
// any other name, so the name can never smuggle SQL in.
int64_t count_rows(Database& db, const std::string& table);

}  // namespace imu2clip
