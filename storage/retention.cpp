#include "storage/retention.h"

#include <string>

#include "common/error.h"
#include "storage/sqlite_db.h"

namespace imu2clip {
namespace {

constexpr int64_t kDayMs = 24LL * 3600 * 1000;
// Rows per transaction: each commit lets a waiting writer (the live tagger) in.
constexpr int64_t kBatchRows = 2000;

// Runs `sql` (a DELETE taking ?1 = cutoff, ?2 = batch size) until it deletes nothing or `stop`
// is set; the rows.
int64_t delete_in_batches(Database& db, const std::string& sql, int64_t cutoff_utc_ms, const std::atomic<bool>* stop) {
  int64_t total = 0;
  while (!(stop && stop->load())) {
    Transaction tx(db);
    db.cached(sql)->bind_all(cutoff_utc_ms, kBatchRows).run();
    const int64_t n = db.changes();
    tx.commit();
    total += n;
    if (n < kBatchRows) break;
  }
  return total;
}

}  // namespace

int64_t retention_cutoff(int64_t now_utc_ms, int days) {
  if (days <= 0) {
    throw Error(ErrorKind::InvalidInput,
                "days of detail to keep must be at least 1 (got " + std::to_string(days) + ")",
                ErrorContext{"", 0, "days"});
  }
  return now_utc_ms - static_cast<int64_t>(days) * kDayMs;
}

// The windows and segments queries start from the recordings that began before the cutoff
// (CROSS JOIN fixes that order in SQLite) and reach their rows through the by-recording
// indexes: an hourly pass looks only at recordings old enough to have detail to drop, never
// scans every window of the log.
RetentionCounts drop_detail_before(Database& db, int64_t cutoff_utc_ms, const std::atomic<bool>* stop) {
  RetentionCounts counts;
  // Labels go with their window (ON DELETE CASCADE).
  counts.windows = delete_in_batches(
      db,
      "DELETE FROM windows WHERE id IN (SELECT w.id FROM recordings r CROSS JOIN windows w ON w.recording_id = r.id "
      "WHERE r.start_utc_ms <= ?1 AND r.start_utc_ms + w.end_s * 1000 <= ?1 LIMIT ?2)",
      cutoff_utc_ms, stop);
  counts.segments = delete_in_batches(
      db,
      "DELETE FROM segments WHERE id IN (SELECT g.id FROM recordings r CROSS JOIN segments g ON g.recording_id = r.id "
      "WHERE r.start_utc_ms <= ?1 AND r.start_utc_ms + g.end_s * 1000 <= ?1 LIMIT ?2)",
      cutoff_utc_ms, stop);
  // Only audio already tagged (the same test as LiveAudioStore::delete_tagged): what the tagger
  // has not reached yet stays until it has.
  counts.audio_chunks = delete_in_batches(
      db,
      "DELETE FROM live_audio_chunks WHERE id IN (SELECT c.id FROM live_audio_chunks c "
      "JOIN live_audio_sessions s ON s.recording_id = c.recording_id JOIN recordings r ON r.id = c.recording_id "
      "WHERE c.start_utc_ms + c.samples * 1000.0 / s.sample_rate_hz <= ?1 AND (r.status = 'complete' OR "
      "c.offset_samples + c.samples <= CAST(ROUND(r.tagged_until_s * s.sample_rate_hz) AS INTEGER)) LIMIT ?2)",
      cutoff_utc_ms, stop);
  counts.pages_freed = reclaim_free_pages(db);
  return counts;
}

int64_t reclaim_free_pages(Database& db) {
  if (db.query_int64("PRAGMA auto_vacuum") != 2) return 0;  // 2 = INCREMENTAL
  const int64_t before = db.query_int64("PRAGMA freelist_count");
  if (before == 0) return 0;
  // Steps through one row per freed page: run to the end.
  auto vacuum = db.prepare("PRAGMA incremental_vacuum");
  while (vacuum.step()) {
  }
  return before - db.query_int64("PRAGMA freelist_count");
}

}  // namespace imu2clip
