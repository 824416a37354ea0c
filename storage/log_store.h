#pragma once
// The tagger's and the HTTP service's view of the SQLite log: users, devices, recordings,
// per-window top-k labels, merged segments and log lines. Every write method is one
// transaction: after a crash the database holds whole batches or none of a batch.
// One LogStore per thread; several processes may share the file (WAL + busy timeout).
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "storage/records.h"
#include "storage/sqlite_db.h"

namespace imu2clip {

// ---- live streams (schema v2): what LogStore::append_live_samples needs and reports.
struct LiveSample {
  int64_t t_utc_ms = 0;
  std::array<float, 6> v{};  // ax ay az gx gy gz
};

struct LiveAppendRequest {
  int64_t user_id = 0;
  std::string device;                  // created on first use
  std::string device_kind = "unknown";
  std::string model_id;                // a session belongs to one model
  int64_t max_gap_ms = 1000;           // a longer pause (or a new model) starts a new session
  const int64_t* t_utc_ms = nullptr;   // n strictly increasing instants
  const std::array<float, 6>* values = nullptr;
  size_t n = 0;
};

// The samples of one append that went to one live session (recording).
struct LiveSessionPart {
  int64_t recording_id = 0;
  int64_t start_utc_ms = 0;   // the session's first sample (its recording's start)
  int64_t first_t_utc_ms = 0, last_t_utc_ms = 0;
  int64_t samples = 0;
  bool created = false;       // this append started the session
};

struct LiveAppendResult {
  int64_t device_id = 0;
  std::vector<LiveSessionPart> parts;   // in time order; the last one is the device's current session
  std::vector<int64_t> closed_recordings;   // sessions this append ended (by a gap or a model change)
};

// A live session that still has stored raw samples (the restart backlog).
struct LivePending {
  int64_t recording_id = 0;
  int64_t first_t_utc_ms = 0, last_t_utc_ms = 0;
  int64_t samples = 0;
  bool open = false;   // still its device's current session
};

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

  // ---- live streams (schema v2)
  // Stores one batch of a device's raw samples in one transaction: creates the device, starts
  // a new session (recording "live:<device>:<first ms>", status "tagging") at the first sample,
  // after a pause longer than max_gap_ms or when the model changed, and records the device's
  // last sample time. Throws InvalidInput (field "t_utc_ms[0]") when the batch does not start
  // after the device's last stored sample, NotFound for an unknown user; nothing is stored then.
  LiveAppendResult append_live_samples(const LiveAppendRequest& request);
  // The session's stored raw samples with from <= t < to, in time order (at most `limit`).
  std::vector<LiveSample> live_samples(int64_t recording_id, int64_t from_utc_ms, int64_t to_utc_ms,
                                       int64_t limit = INT64_MAX);
  // Deletes the session's raw samples with t < before_utc_ms; returns how many.
  int64_t delete_live_samples(int64_t recording_id, int64_t before_utc_ms);
  // Deletes the raw samples before the last one at or before `t_utc_ms` (that one is kept as
  // the interpolation anchor of the next window); returns how many.
  int64_t trim_live_samples(int64_t recording_id, int64_t t_utc_ms);
  // Sessions with stored raw samples, by recording id.
  std::vector<LivePending> live_pending();
  // Replaces the live recording's segments and log lines that start at or after from_s (earlier
  // ones are final), sets its duration, and marks it complete when `complete` (else it stays
  // "tagging"), in one transaction. Entries are bound to the recording like complete_recording's.
  void update_live_segments(int64_t recording_id, double from_s, const std::vector<Segment>& segments,
                            const std::vector<LogEntry>& entries, double duration_s, bool complete);

  // Number of rows in one of the store's tables (users, devices, recordings, windows,
  // window_labels, segments, log_entries, live_streams, live_samples); throws InvalidInput for
  // any other name.
  int64_t count(const std::string& table);

  // The underlying connection, for maintenance and tests.
  Database& database() { return db_; }

 private:
  void insert_log_entry(const LogEntry& entry, int64_t now_ms);
  void insert_segments(int64_t recording_id, const std::vector<Segment>& segments);
  Database db_;
  int schema_version_ = 0;
};

}  // namespace imu2clip
