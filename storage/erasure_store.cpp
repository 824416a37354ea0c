#include "storage/erasure_store.h"

#include <string>
#include <vector>

#include "common/error.h"
#include "storage/retention.h"
#include "storage/sqlite_db.h"

namespace imu2clip {

void ErasureStore::remove_whole(int64_t recording_id, ErasedCounts& counts) {
  auto lines = db_.cached("SELECT COUNT(*) FROM log_entries WHERE recording_id = ?1");
  lines->bind_all(recording_id).step();
  counts.log_lines += lines->column_int64(0);
  auto windows = db_.cached("SELECT COUNT(*) FROM windows WHERE recording_id = ?1");
  windows->bind_all(recording_id).step();
  counts.windows += windows->column_int64(0);
  // Foreign keys cascade to windows (and their labels), segments, log lines, live samples and
  // live audio; a live stream pointing at it forgets it (SET NULL) and starts a new session.
  auto remove = db_.cached("DELETE FROM recordings WHERE id = ?1");
  remove->bind_all(recording_id).run();
  counts.recordings += db_.changes();
}

std::optional<ErasedCounts> ErasureStore::remove_recording(int64_t user_id, int64_t recording_id) {
  Transaction tx(db_);
  auto owned = db_.cached("SELECT 1 FROM recordings WHERE id = ?1 AND user_id = ?2");
  if (!owned->bind_all(recording_id, user_id).step()) return std::nullopt;
  ErasedCounts counts;
  remove_whole(recording_id, counts);
  tx.commit();
  reclaim_free_pages(db_);
  return counts;
}

ErasedCounts ErasureStore::remove_between(int64_t user_id, int64_t from_utc_ms, int64_t to_utc_ms) {
  if (from_utc_ms >= to_utc_ms) {
    throw Error(ErrorKind::InvalidInput, "the period to delete is empty: from " + std::to_string(from_utc_ms) +
                                             " ms is not before to " + std::to_string(to_utc_ms) + " ms");
  }
  Transaction tx(db_);
  ErasedCounts counts;

  std::vector<int64_t> inside;
  {
    auto s = db_.cached(
        "SELECT id FROM recordings WHERE user_id = ?1 AND start_utc_ms IS NOT NULL AND start_utc_ms >= ?2 "
        "AND start_utc_ms + duration_s * 1000 <= ?3");
    s->bind_all(user_id, from_utc_ms, to_utc_ms);
    while (s->step()) inside.push_back(s->column_int64(0));
  }
  for (int64_t id : inside) remove_whole(id, counts);

  // The recordings that straddle the range: their parts inside it, by wall-clock time.
  auto windows = db_.cached(
      "DELETE FROM windows WHERE id IN (SELECT w.id FROM windows w JOIN recordings r ON r.id = w.recording_id "
      "WHERE r.user_id = ?1 AND r.start_utc_ms IS NOT NULL "
      "AND r.start_utc_ms + w.start_s * 1000 < ?3 AND r.start_utc_ms + w.end_s * 1000 > ?2)");
  windows->bind_all(user_id, from_utc_ms, to_utc_ms).run();
  counts.windows += db_.changes();

  auto segments = db_.cached(
      "DELETE FROM segments WHERE id IN (SELECT g.id FROM segments g JOIN recordings r ON r.id = g.recording_id "
      "WHERE r.user_id = ?1 AND r.start_utc_ms IS NOT NULL "
      "AND r.start_utc_ms + g.start_s * 1000 < ?3 AND r.start_utc_ms + g.end_s * 1000 > ?2)");
  segments->bind_all(user_id, from_utc_ms, to_utc_ms).run();

  auto samples = db_.cached(
      "DELETE FROM live_samples WHERE recording_id IN (SELECT id FROM recordings WHERE user_id = ?1) "
      "AND t_utc_ms >= ?2 AND t_utc_ms < ?3");
  samples->bind_all(user_id, from_utc_ms, to_utc_ms).run();

  auto audio = db_.cached(
      "DELETE FROM live_audio_chunks WHERE id IN (SELECT c.id FROM live_audio_chunks c "
      "JOIN live_audio_sessions s ON s.recording_id = c.recording_id WHERE c.user_id = ?1 "
      "AND c.start_utc_ms < ?3 AND c.start_utc_ms + c.samples * 1000.0 / s.sample_rate_hz > ?2)");
  audio->bind_all(user_id, from_utc_ms, to_utc_ms).run();

  // Every line of the user, free text and imported ones included. A line of no duration
  // counts as 1 ms long, so it goes when it starts inside the range.
  auto lines = db_.cached(
      "DELETE FROM log_entries WHERE user_id = ?1 AND t_utc_ms IS NOT NULL AND t_utc_ms < ?3 "
      "AND t_utc_ms + max(duration_ms, 1) > ?2");
  lines->bind_all(user_id, from_utc_ms, to_utc_ms).run();
  counts.log_lines += db_.changes();

  tx.commit();
  reclaim_free_pages(db_);
  return counts;
}

}  // namespace imu2clip
