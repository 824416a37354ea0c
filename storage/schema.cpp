#include "storage/schema.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "common/error.h"
#include "storage/sqlite_db.h"

namespace imu2clip {
namespace {

// Times: *_utc_ms are UTC instants in ms since the Unix epoch; *_s are seconds relative to
// the start of the recording. Every child row cascades with its recording, so deleting a
// recording (re-tagging with --force) removes its windows, labels, segments and log lines.
const char* kSchemaV1 = R"sql(
CREATE TABLE users (
  id             INTEGER PRIMARY KEY,
  name           TEXT NOT NULL UNIQUE CHECK (length(name) > 0),
  tz             TEXT NOT NULL,
  token_hash     TEXT UNIQUE,
  created_utc_ms INTEGER NOT NULL,
  updated_utc_ms INTEGER NOT NULL
);

CREATE TABLE devices (
  id             INTEGER PRIMARY KEY,
  user_id        INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name           TEXT NOT NULL CHECK (length(name) > 0),
  kind           TEXT NOT NULL,
  created_utc_ms INTEGER NOT NULL,
  UNIQUE (user_id, name)
);

CREATE TABLE recordings (
  id             INTEGER PRIMARY KEY,
  user_id        INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  device_id      INTEGER REFERENCES devices(id) ON DELETE SET NULL,
  source_key     TEXT NOT NULL CHECK (length(source_key) > 0),
  source_path    TEXT NOT NULL,
  start_utc_ms   INTEGER,
  tz             TEXT NOT NULL,
  duration_s     REAL NOT NULL DEFAULT 0 CHECK (duration_s >= 0),
  modality       TEXT NOT NULL CHECK (length(modality) > 0),
  model_id       TEXT NOT NULL CHECK (length(model_id) > 0),
  status         TEXT NOT NULL DEFAULT 'tagging' CHECK (status IN ('tagging', 'complete')),
  tagged_until_s REAL NOT NULL DEFAULT 0 CHECK (tagged_until_s >= 0),
  meta_json      TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(meta_json)),
  created_utc_ms INTEGER NOT NULL,
  updated_utc_ms INTEGER NOT NULL,
  UNIQUE (user_id, source_key, model_id, modality)
);
CREATE INDEX recordings_by_device ON recordings(device_id);
CREATE INDEX recordings_by_user_start ON recordings(user_id, start_utc_ms);

CREATE TABLE windows (
  id             INTEGER PRIMARY KEY,
  recording_id   INTEGER NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
  start_ms       INTEGER NOT NULL,  -- round(start_s * 1000): an exact key, unlike a REAL
  start_s        REAL NOT NULL CHECK (start_s >= 0),
  end_s          REAL NOT NULL CHECK (end_s >= start_s),
  modality       TEXT NOT NULL CHECK (length(modality) > 0),
  valid          INTEGER NOT NULL CHECK (valid IN (0, 1)),
  invalid_reason TEXT NOT NULL DEFAULT '',
  UNIQUE (recording_id, start_ms, modality)
);

CREATE TABLE window_labels (
  window_id INTEGER NOT NULL REFERENCES windows(id) ON DELETE CASCADE,
  rank      INTEGER NOT NULL CHECK (rank >= 0),  -- 0 = best match
  label     TEXT NOT NULL,
  score     REAL NOT NULL,
  PRIMARY KEY (window_id, rank)
) WITHOUT ROWID;

CREATE TABLE segments (
  id           INTEGER PRIMARY KEY,
  recording_id INTEGER NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
  start_s      REAL NOT NULL CHECK (start_s >= 0),
  end_s        REAL NOT NULL CHECK (end_s >= start_s),
  label        TEXT NOT NULL,
  mean_score   REAL NOT NULL,
  n_windows    INTEGER NOT NULL CHECK (n_windows >= 0),
  modality     TEXT NOT NULL CHECK (length(modality) > 0)
);
CREATE INDEX segments_by_recording ON segments(recording_id, start_s);

-- One line of the user's life log. Lines derived from a recording carry offset_ms (time since
-- the recording's start) and, when its wall-clock start is known, t_utc_ms; free-text lines
-- carry t_utc_ms only.
CREATE TABLE log_entries (
  id             INTEGER PRIMARY KEY,
  user_id        INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  recording_id   INTEGER REFERENCES recordings(id) ON DELETE CASCADE,
  t_utc_ms       INTEGER,
  offset_ms      INTEGER CHECK (offset_ms >= 0),
  duration_ms    INTEGER NOT NULL DEFAULT 0 CHECK (duration_ms >= 0),
  modality       TEXT NOT NULL CHECK (length(modality) > 0),
  text           TEXT NOT NULL,
  created_utc_ms INTEGER NOT NULL,
  CHECK (t_utc_ms IS NOT NULL OR offset_ms IS NOT NULL),
  CHECK (offset_ms IS NULL OR recording_id IS NOT NULL)
);
CREATE INDEX log_entries_by_user_time ON log_entries(user_id, t_utc_ms);
CREATE INDEX log_entries_by_recording ON log_entries(recording_id, offset_ms);
)sql";

// Live streaming (POST /v1/imu). live_streams: per device, the current live session (a
// recording) and the time of the last stored sample, so a batch going back in time is refused
// and a long pause starts a new session. live_samples: raw samples acknowledged to the client
// but not yet tagged (plus the short tail the next window needs); tagged ones are deleted.
const char* kSchemaV2 = R"sql(
CREATE TABLE live_streams (
  device_id      INTEGER PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
  recording_id   INTEGER REFERENCES recordings(id) ON DELETE SET NULL,
  last_t_utc_ms  INTEGER NOT NULL,
  updated_utc_ms INTEGER NOT NULL
);

CREATE TABLE live_samples (
  recording_id INTEGER NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
  t_utc_ms     INTEGER NOT NULL,
  ax REAL NOT NULL, ay REAL NOT NULL, az REAL NOT NULL,
  gx REAL NOT NULL, gy REAL NOT NULL, gz REAL NOT NULL,
  PRIMARY KEY (recording_id, t_utc_ms)
) WITHOUT ROWID;
)sql";

// Live audio (POST /v1/audio). live_audio_sessions: one row per live session (a recording
// with modality "audio"): its device, the model's sample rate, where its stored audio ends (in
// samples from its first one) and whether it is still its device's current session; the
// latest session of a device also says where the device's audio ended, so a chunk going back
// in time is refused. live_audio_chunks: the raw audio acknowledged to the client, mono PCM16
// (little-endian) at the model's rate, placed by its first sample's index in the session;
// deleted once tagged unless the server keeps audio. A rowid table: its rows are large BLOBs.
const char* kSchemaV3 = R"sql(
CREATE TABLE live_audio_sessions (
  recording_id   INTEGER PRIMARY KEY REFERENCES recordings(id) ON DELETE CASCADE,
  user_id        INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  device_id      INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  sample_rate_hz INTEGER NOT NULL CHECK (sample_rate_hz > 0),
  start_utc_ms   INTEGER NOT NULL,
  end_samples    INTEGER NOT NULL CHECK (end_samples >= 0),
  open           INTEGER NOT NULL CHECK (open IN (0, 1)),
  updated_utc_ms INTEGER NOT NULL
);
CREATE INDEX live_audio_sessions_by_device ON live_audio_sessions(device_id, recording_id);
CREATE INDEX live_audio_sessions_by_user ON live_audio_sessions(user_id);
CREATE UNIQUE INDEX live_audio_sessions_open ON live_audio_sessions(device_id) WHERE open = 1;

CREATE TABLE live_audio_chunks (
  id             INTEGER PRIMARY KEY,
  recording_id   INTEGER NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
  user_id        INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  device_id      INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  offset_samples INTEGER NOT NULL CHECK (offset_samples >= 0),
  start_utc_ms   INTEGER NOT NULL,
  samples        INTEGER NOT NULL CHECK (samples > 0),
  pcm16          BLOB NOT NULL CHECK (length(pcm16) = 2 * samples),
  created_utc_ms INTEGER NOT NULL,
  UNIQUE (recording_id, offset_samples)
);
CREATE INDEX live_audio_chunks_by_user ON live_audio_chunks(user_id);
CREATE INDEX live_audio_chunks_by_device ON live_audio_chunks(device_id);
)sql";

// Window embeddings for search (GET /v1/search): each valid window's encoder output, stored
// as IEEE fp16 (half the bytes of float32; cosine ranks are unchanged to ~1e-3), so a text
// query needs no re-encoding. embedding_models names the model (bundle model_id) that
// produced a vector, and its dimension: only vectors of the query's space are compared. A
// vector goes with its window (and so with its recording and its user); user_id is copied
// from the recording so one user's vectors are read by index without a join. embedding_counts
// (kept by triggers) says in O(1) how many vectors a user has and how many were ever deleted,
// so a search index knows whether it is still current without counting millions of rows.
const char* kSchemaV4 = R"sql(
CREATE TABLE embedding_models (
  id       INTEGER PRIMARY KEY,
  model_id TEXT NOT NULL UNIQUE CHECK (length(model_id) > 0),
  dim      INTEGER NOT NULL CHECK (dim > 0)
);

CREATE TABLE window_embeddings (
  window_id INTEGER PRIMARY KEY REFERENCES windows(id) ON DELETE CASCADE,
  user_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  model_ref INTEGER NOT NULL REFERENCES embedding_models(id),
  vec_f16   BLOB NOT NULL
);
CREATE INDEX window_embeddings_by_user ON window_embeddings(user_id, model_ref, window_id);

CREATE TABLE embedding_counts (
  user_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  model_ref INTEGER NOT NULL REFERENCES embedding_models(id),
  stored    INTEGER NOT NULL DEFAULT 0,
  deleted   INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (user_id, model_ref)
) WITHOUT ROWID;
CREATE TRIGGER window_embeddings_count_insert AFTER INSERT ON window_embeddings BEGIN
  INSERT INTO embedding_counts(user_id, model_ref, stored) VALUES (NEW.user_id, NEW.model_ref, 1)
    ON CONFLICT(user_id, model_ref) DO UPDATE SET stored = stored + 1;
END;
CREATE TRIGGER window_embeddings_count_delete AFTER DELETE ON window_embeddings BEGIN
  UPDATE embedding_counts SET stored = stored - 1, deleted = deleted + 1
    WHERE user_id = OLD.user_id AND model_ref = OLD.model_ref;
END;
)sql";

// Upload jobs (POST /v1/recordings, GET /v1/jobs/{id}): one row per uploaded file the server
// tags in the background, so queued work survives a restart and job ids are never reused
// (AUTOINCREMENT: not even the id of a deleted last row). upload_name is the file's name under
// the server's upload folder (never an absolute path); options_json what the job needs to run
// it (format, start, tz, device, units). error is what the uploader may read: no server paths.
// A job goes with its user; a deleted recording leaves its job's recording_id NULL.
const char* kSchemaV5 = R"sql(
CREATE TABLE upload_jobs (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id         INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  state           TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
  upload_name     TEXT NOT NULL CHECK (length(upload_name) > 0),
  options_json    TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(options_json)),
  recording_id    INTEGER REFERENCES recordings(id) ON DELETE SET NULL,
  summary_json    TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(summary_json)),
  error           TEXT NOT NULL DEFAULT '',
  created_utc_ms  INTEGER NOT NULL,
  updated_utc_ms  INTEGER NOT NULL,
  finished_utc_ms INTEGER
);
CREATE INDEX upload_jobs_by_user ON upload_jobs(user_id, id);
CREATE INDEX upload_jobs_by_state ON upload_jobs(state, id);
CREATE INDEX upload_jobs_by_recording ON upload_jobs(recording_id);
)sql";

}  // namespace

const std::vector<Migration>& schema_migrations() {
  static const std::vector<Migration> migrations = {
      {1, "users, devices, recordings, windows, labels, segments, log entries", kSchemaV1},
      {2, "live streams and their untagged raw samples", kSchemaV2},
      {3, "live audio sessions and their raw audio chunks", kSchemaV3},
      {4, "window embeddings (fp16) for search", kSchemaV4},
      {5, "upload jobs", kSchemaV5},
  };
  return migrations;
}

int latest_schema_version() { return schema_migrations().back().version; }

int migrate(Database& db) {
  int version = static_cast<int>(db.query_int64("PRAGMA user_version"));
  for (const auto& step : schema_migrations()) {
    if (step.version <= version) continue;
    // IMMEDIATE + re-reading the version inside the lock: two processes opening a fresh
    // file at once apply each step exactly once.
    Transaction tx(db, Transaction::Mode::Immediate);
    int current = static_cast<int>(db.query_int64("PRAGMA user_version"));
    if (current < step.version) {
      db.exec(step.sql);
      db.exec("PRAGMA user_version = " + std::to_string(step.version));
      tx.commit();
      spdlog::info("log store {}: migrated to schema v{} ({})", db.path(), step.version, step.description);
    } else {
      tx.rollback();
    }
    version = std::max(version, step.version);
  }
  version = static_cast<int>(db.query_int64("PRAGMA user_version"));
  if (version > latest_schema_version()) {
    throw Error(ErrorKind::Database,
                "database schema v" + std::to_string(version) + " is newer than this imu2clip supports (v" +
                    std::to_string(latest_schema_version()) + "); upgrade imu2clip or use another database file",
                ErrorContext{db.path(), 0, ""});
  }
  return version;
}

int64_t count_rows(Database& db, const std::string& table) {
  static const std::set<std::string> kTables = {
      "users",       "devices",      "recordings",   "windows",             "window_labels",    "segments",
      "log_entries", "live_streams", "live_samples", "live_audio_sessions", "live_audio_chunks",
      "embedding_models", "window_embeddings", "embedding_counts", "upload_jobs"};
  if (!kTables.count(table)) {
    throw Error(ErrorKind::InvalidInput,
                "unknown table '" + table + "'; use one of users, devices, recordings, windows, window_labels, "
                "segments, log_entries, live_streams, live_samples, live_audio_sessions, live_audio_chunks, "
                "embedding_models, window_embeddings, embedding_counts, upload_jobs",
                ErrorContext{"", 0, "table"});
  }
  return db.query_int64("SELECT COUNT(*) FROM " + table);
}

}  // namespace imu2clip
