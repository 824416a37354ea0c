#pragma once
// Recordings and what tagging derives from them (tables recordings, windows, window_labels,
// segments, and the recording's lines in log_entries). Every write method is one transaction:
// after a crash the database holds whole batches or none of a batch.
// A view over one open Database: cheap to construct, used from the connection's thread only.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "storage/records.h"

namespace imu2clip {

class Database;

class RecordingStore {
 public:
  explicit RecordingStore(Database& db) : db_(db) {}

  // The recording that tagging `source_key` with `model_id` produced, if any (the resume key).
  std::optional<RecordingRow> find_by_source(int64_t user_id, const std::string& source_key,
                                             const std::string& model_id, const std::string& modality = "imu");
  // The recording with this id, if any.
  std::optional<RecordingRow> find(int64_t recording_id);
  // The user's recordings, by start time (unknown starts first), then id.
  std::vector<RecordingRow> for_user(int64_t user_id);
  // Inserts a recording in status "tagging" and returns its id; validates tz and required
  // fields. Joins the caller's transaction when one is open.
  int64_t create(const RecordingRow& row);
  // Updates duration and metadata once the whole input has been read.
  void update_info(int64_t recording_id, double duration_s, const nlohmann::json& meta);
  // Deletes a recording with its windows, labels, segments and log lines; false if absent.
  bool remove(int64_t recording_id);

  // Stores a batch of tagged windows and advances tagged_until_s (never backwards), in one
  // transaction. Windows already stored (same start ms and modality) are left unchanged.
  // Windows with an embedding_f16 get it stored under the recording's model_id (all of one
  // batch must have the model's dim: InvalidInput otherwise).
  void append_windows(int64_t recording_id, const std::vector<WindowTag>& windows, double tagged_until_s);
  // The recording's windows by start time, each with its labels best first.
  std::vector<WindowTag> windows(int64_t recording_id);
  // The recording's segments by start time.
  std::vector<Segment> segments(int64_t recording_id);

  // Replaces the recording's segments and log lines and marks it complete, in one transaction.
  // Entries get the recording's user and id; offset_ms is required, t_utc_ms is derived from
  // the recording's start when missing.
  void complete(int64_t recording_id, const std::vector<Segment>& segments, const std::vector<LogEntry>& entries);
  // Replaces the live recording's segments and log lines that start at or after from_s (earlier
  // ones are final), sets its duration, and marks it complete when `complete` (else it stays
  // "tagging"), in one transaction. Entries are bound to the recording like complete()'s.
  void update_live_segments(int64_t recording_id, double from_s, const std::vector<Segment>& segments,
                            const std::vector<LogEntry>& entries, double duration_s, bool complete);

 private:
  RecordingRow existing(int64_t recording_id);
  void insert_segments(int64_t recording_id, const std::vector<Segment>& segments);
  Database& db_;
};

}  // namespace imu2clip
