#pragma once
// What a user asks to be forgotten: one recording, or everything of theirs in a period of time
// (tables recordings, windows, window_labels, segments, log_entries, live_samples,
// live_audio_chunks). Every method is one transaction. The connection runs with secure_delete
// (storage/sqlite_db.cpp), so the deleted bytes are overwritten, not only unlinked.
// A view over one open Database: cheap to construct, used from the connection's thread only.
#include <cstdint>
#include <optional>

namespace imu2clip {

class Database;

// How much a removal deleted. Rows that went with a removed recording (its windows, its log
// lines) are counted too.
struct ErasedCounts {
  int64_t recordings = 0;  // whole recordings
  int64_t log_lines = 0;
  int64_t windows = 0;
};

class ErasureStore {
 public:
  explicit ErasureStore(Database& db) : db_(db) {}

  // Deletes the user's recording with everything derived from it (windows and labels,
  // segments, log lines, untagged raw samples and audio). nullopt when the user has no
  // recording with this id: another user's recording is left alone and looks absent.
  std::optional<ErasedCounts> remove_recording(int64_t user_id, int64_t recording_id);

  // Deletes everything of the user that touches [from_utc_ms, to_utc_ms):
  // - recordings with a known start that lie entirely inside it, whole;
  // - of the other recordings, the windows, segments, raw samples and audio chunks that overlap
  //   it, even in part (a window half inside still describes the period), keeping the rest;
  // - every log line that overlaps it ([t, t + duration) meets the range; a line of no
  //   duration when it starts inside).
  // Recordings with no wall-clock start (and their lines, which have no time) are never in a
  // range. Throws InvalidInput unless from_utc_ms < to_utc_ms.
  ErasedCounts remove_between(int64_t user_id, int64_t from_utc_ms, int64_t to_utc_ms);

 private:
  // Counts what goes with the recording, then deletes it (inside the caller's transaction).
  void remove_whole(int64_t recording_id, ErasedCounts& counts);
  Database& db_;
};

}  // namespace imu2clip
