#pragma once
// Retention: the detail of a life log is dropped once it is older than the server keeps it, while
// the log lines stay. What goes, for time before the cutoff (whatever user it belongs to):
// - windows and their labels and scores (the 5 s evidence behind each line);
// - segments (a log line already says its label, start and duration; a segment adds only the
//   mean score and the number of windows);
// - raw live audio kept by `--keep-audio`, once tagged.
// What stays: every log line, recordings (their id, device, start, duration, model), devices,
// accounts. Raw live IMU samples and untagged audio are not touched: the live taggers delete them
// as soon as they are tagged, and until then they are data the user has not got as lines yet.
// Recordings with no wall-clock start have no age and keep their detail.
#include <atomic>
#include <cstdint>

namespace imu2clip {

class Database;

struct RetentionCounts {
  int64_t windows = 0;
  int64_t segments = 0;
  int64_t audio_chunks = 0;
  int64_t pages_freed = 0;  // database pages handed back to the file system
};

// Detail that ended at or before `cutoff_utc_ms` is dropped, in batches of small transactions so
// a long-neglected database does not hold the write lock for minutes while live ingest waits.
// Afterwards frees the space (reclaim_free_pages). Idempotent: a second call drops nothing.
// `stop` (optional) is checked between batches: a server shutting down does not wait for a long
// first pass; what was committed stays dropped and the next pass does the rest.
RetentionCounts drop_detail_before(Database& db, int64_t cutoff_utc_ms, const std::atomic<bool>* stop = nullptr);

// The cutoff for keeping `days` days of detail at `now_utc_ms`. Throws InvalidInput unless days > 0.
int64_t retention_cutoff(int64_t now_utc_ms, int days);

// Hands the database's free pages back to the file system (incremental auto-vacuum; a file made
// before imu2clip created databases that way reuses its free pages instead, and the count is 0).
// Deleted bytes were already overwritten (secure_delete); this makes the file smaller too.
int64_t reclaim_free_pages(Database& db);

}  // namespace imu2clip
