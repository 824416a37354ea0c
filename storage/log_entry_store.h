#pragma once
// The lines of the users' logs (table log_entries): "[15:50] Motion: sitting". Lines derived
// from a recording are written by RecordingStore with the recording's segments; this store
// reads every line and adds free-text and imported ones.
// A view over one open Database: cheap to construct, used from the connection's thread only.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/records.h"

namespace imu2clip {

class Database;

class LogEntryStore {
 public:
  explicit LogEntryStore(Database& db) : db_(db) {}

  // The user's lines with from_utc_ms <= t_utc_ms < to_utc_ms, in time order; at most `limit`
  // of them (the first ones) when given.
  std::vector<LogEntry> between(int64_t user_id, int64_t from_utc_ms, int64_t to_utc_ms,
                                std::optional<int64_t> limit = std::nullopt);
  // Whether the user has any line with from_utc_ms <= t_utc_ms < to_utc_ms.
  bool any_between(int64_t user_id, int64_t from_utc_ms, int64_t to_utc_ms);
  // The distinct texts of the user's lines, sorted: the labels their log uses.
  std::vector<std::string> distinct_texts(int64_t user_id);
  // Those of the texts whose every line has `modality`, sorted: e.g. the sounds ("audio") that
  // no other modality logged.
  std::vector<std::string> texts_only_of_modality(int64_t user_id, const std::string& modality);
  // The highest line id in the whole log (0 when empty): it changes whenever a line is added,
  // so caches derived from the log can tell they are stale.
  int64_t last_id();
  // The recording's lines in offset order (also those without a wall-clock time).
  std::vector<LogEntry> for_recording(int64_t recording_id);

  // Inserts free-text or imported lines in one transaction; returns how many were added.
  // Throws NotFound for an unknown user or recording, InvalidInput for a bad line.
  int64_t add(const std::vector<LogEntry>& entries);

  // Replaces the recording's lines with `rows` (already bound to the recording and validated):
  // all of its lines, or with from_offset_ms only those at or after that offset. Joins the
  // caller's transaction when one is open.
  void replace_recording_lines(int64_t recording_id, const std::vector<LogEntry>& rows,
                               std::optional<int64_t> from_offset_ms = std::nullopt);

 private:
  void insert(const LogEntry& entry, int64_t now_ms);
  Database& db_;
};

}  // namespace imu2clip
