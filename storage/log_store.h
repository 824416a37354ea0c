#pragma once
// One open log database and the stores over it: users (and devices), recordings (windows,
// segments and their log lines), live samples, live audio, log lines, upload jobs, and what a
// user asks to have deleted. Opening migrates the file.
// One LogStore per thread (or borrowed from a StorePool); several processes may share the
// file (WAL + busy timeout).
#include <cstdint>
#include <string>

#include "storage/embedding_store.h"
#include "storage/erasure_store.h"
#include "storage/live_audio_store.h"
#include "storage/live_sample_store.h"
#include "storage/log_entry_store.h"
#include "storage/recording_store.h"
#include "storage/records.h"
#include "storage/sqlite_db.h"
#include "storage/upload_job_store.h"
#include "storage/user_store.h"

namespace imu2clip {

class LogStore {
 public:
  // Opens or creates the file (and its parent directories) and migrates it; ":memory:" works.
  explicit LogStore(const std::string& path, DatabaseOptions options = {});

  // The schema version of the open database (PRAGMA user_version).
  int schema_version() const { return schema_version_; }

  UserStore& users() { return users_; }
  RecordingStore& recordings() { return recordings_; }
  LiveSampleStore& live() { return live_; }
  LiveAudioStore& live_audio() { return live_audio_; }
  LogEntryStore& log() { return log_; }
  ErasureStore& erasure() { return erasure_; }
  EmbeddingStore& embeddings() { return embeddings_; }
  UploadJobStore& upload_jobs() { return upload_jobs_; }

  // Number of rows in one of the log's tables (see count_rows in storage/schema.h).
  int64_t count(const std::string& table);

  // The underlying connection, for maintenance and tests.
  Database& database() { return db_; }

 private:
  Database db_;
  int schema_version_ = 0;
  UserStore users_{db_};
  RecordingStore recordings_{db_};
  LiveSampleStore live_{db_};
  LiveAudioStore live_audio_{db_};
  LogEntryStore log_{db_};
  ErasureStore erasure_{db_};
  EmbeddingStore embeddings_{db_};
  UploadJobStore upload_jobs_{db_};
};

}  // namespace imu2clip
