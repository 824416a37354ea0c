#pragma once
// The tagger's and the HTTP service's view of the SQLite log: users, devices, recordings,
// per-window top-k labels, merged segments and log lines. Every write method is one
// transaction: after a crash the database holds whole batches or none of a batch.
// One LogStore per thread; several processes may share the file (WAL + busy timeout).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "storage/records.h"
#include "storage/sqlite_db.h"

namespace imu2clip {

class LogStore {
 public:
  // Opens or creates the file (and its parent directories) and migrates it; ":memory:" works.
  explicit LogStore(const std::string& path, DatabaseOptions options = {});

  // The schema version of the open database (PRAGMA user_version).
  int schema_version() const { return schema_version_; }

  // The user's id, creating the user when new; validates tz; an existing user's tz is kept.
  int64_t ensure_user(const std::string& name, const std::string& tz);
  // The user called `name`, if any.
  std::optional<UserRow> find_user(const std::string& name);
  // The user with this id; throws NotFound.
  UserRow user(int64_t id);
  // Changes the zone the user's log is displayed in; validates tz.
  void set_user_tz(int64_t user_id, const std::string& tz);
  // Stores (or clears, with nullopt) the hash of the user's API token.
  void set_user_token_hash(int64_t user_id, const std::optional<std::string>& token_hash);
  // The user whose token hash this is, if any.
  std::optional<UserRow> find_user_by_token_hash(const std::string& token_hash);

  // The device's id, creating it when new; an existing device's kind is kept.
  int64_t ensure_device(int64_t user_id, const std::string& name, const std::string& kind);
  // The user's devices, by name.
  std::vector<DeviceRow> devices(int64_t user_id);

  // The recording that tagging `source_key` with `model_id` produced, if any (the resume key).
  std::optional<RecordingRow> find_recording(int64_t user_id, const std::string& source_key,
                                             const std::string& model_id, const std::string& modality = "imu");
  // The recording with this id, if any.
  std::optional<RecordingRow> recording(int64_t recording_id);
  // Inserts a recording in status "tagging" and returns its id; validates tz and required fields.
  int64_t create_recording(const RecordingRow& row);
  // Updates duration and metadata once the whole input has been read.
  void update_recording_info(int64_t recording_id, double duration_s, const nlohmann::json& meta);
  // Deletes a recording with its windows, labels, segments and log lines; false if absent.
  bool delete_recording(int64_t recording_id);
  // The user's recordings, by start time (unknown starts first), then id.
  std::vector<RecordingRow> recordings(int64_t user_id);

  // Stores a batch of tagged windows and advances tagged_until_s (never backwards), in one
  // transaction. Windows already stored (same start ms and modality) are left unchanged.
  void append_windows(int64_t recording_id, const std::vector<WindowTag>& windows, double tagged_until_s);
  // Replaces the recording's segments and log lines and marks it complete, in one transaction.
  // Entries get the recording's user and id; offset_ms is required, t_utc_ms is derived from
  // the recording's start when missing.
  void complete_recording(int64_t recording_id, const std::vector<Segment>& segments,
                          const std::vector<LogEntry>& entries);
  // The recording's windows by start time, each with its labels best first.
  std::vector<WindowTag> windows(int64_t recording_id);
  // The recording's segments by start time.
  std::vector<Segment> segments(int64_t recording_id);

  // The user's log lines with from_utc_ms <= t_utc_ms < to_utc_ms, in time order.
  std::vector<LogEntry> log_entries(int64_t user_id, int64_t from_utc_ms, int64_t to_utc_ms);
  // The recording's log lines in offset order (also those without a wall-clock time).
  std::vector<LogEntry> recording_log_entries(int64_t recording_id);
  // Inserts free-text or imported log lines in one transaction; returns how many were added.
  int64_t add_log_entries(const std::vector<LogEntry>& entries);

  // Number of rows in one of the store's tables (users, devices, recordings, windows,
  // window_labels, segments, log_entries); throws InvalidInput for any other name.
  int64_t count(const std::string& table);

  // The underlying connection, for maintenance and tests.
  Database& database() { return db_; }

 private:
  void insert_log_entry(const LogEntry& entry, int64_t now_ms);
  Database db_;
  int schema_version_ = 0;
};

}  // namespace imu2clip
