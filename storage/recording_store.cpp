#include "storage/recording_store.h"

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/time/time_zone.h"
#include "storage/embedding_store.h"
#include "storage/log_entry_store.h"
#include "storage/row_validation.h"
#include "storage/sqlite_db.h"
#include "storage/user_store.h"

namespace imu2clip {
namespace {

using storage_checks::invalid;
using storage_checks::require_finite_non_negative;
using storage_checks::require_non_empty;

constexpr const char* kRecordingColumns =
    "id, user_id, device_id, source_key, source_path, start_utc_ms, tz, duration_s, modality, model_id, "
    "status, tagged_until_s, meta_json, created_utc_ms, updated_utc_ms";

RecordingRow read_recording(const Statement& s) {
  RecordingRow r;
  r.id = s.column_int64(0);
  r.user_id = s.column_int64(1);
  r.device_id = s.column_optional_int64(2);
  r.source_key = s.column_text(3);
  r.source_path = s.column_text(4);
  r.start_utc_ms = s.column_optional_int64(5);
  r.tz = s.column_text(6);
  r.duration_s = s.column_double(7);
  r.modality = s.column_text(8);
  r.model_id = s.column_text(9);
  r.status = s.column_text(10);
  r.tagged_until_s = s.column_double(11);
  r.meta = nlohmann::json::parse(s.column_text(12));
  r.created_utc_ms = s.column_int64(13);
  r.updated_utc_ms = s.column_int64(14);
  return r;
}

// Binds every entry to the recording, filling whichever of the two times can be derived.
std::vector<LogEntry> bind_recording_entries(const RecordingRow& rec, const std::vector<LogEntry>& entries) {
  std::vector<LogEntry> rows = entries;
  for (size_t i = 0; i < rows.size(); ++i) {
    auto& e = rows[i];
    std::string where = "entries[" + std::to_string(i) + "]";
    if (e.user_id != 0 && e.user_id != rec.user_id) invalid(where + ".user_id", "entry belongs to another user");
    if (e.recording_id && *e.recording_id != rec.id) {
      invalid(where + ".recording_id", "entry belongs to another recording");
    }
    e.user_id = rec.user_id;
    e.recording_id = rec.id;
    if (!e.offset_ms && e.t_utc_ms && rec.start_utc_ms) e.offset_ms = *e.t_utc_ms - *rec.start_utc_ms;
    if (!e.offset_ms) invalid(where + ".offset_ms", "entries of a recording need offset_ms (time since its start)");
    if (!e.t_utc_ms && rec.start_utc_ms) e.t_utc_ms = *rec.start_utc_ms + *e.offset_ms;
    storage_checks::validate_log_entry(e, i);
  }
  return rows;
}

}  // namespace

std::optional<RecordingRow> RecordingStore::find_by_source(int64_t user_id, const std::string& source_key,
                                                           const std::string& model_id, const std::string& modality) {
  auto s = db_.cached(std::string("SELECT ") + kRecordingColumns +
                      " FROM recordings WHERE user_id = ?1 AND source_key = ?2 AND model_id = ?3 AND modality = ?4");
  if (!s->bind_all(user_id, source_key, model_id, modality).step()) return std::nullopt;
  return read_recording(*s);
}

std::optional<RecordingRow> RecordingStore::find(int64_t recording_id) {
  auto s = db_.cached(std::string("SELECT ") + kRecordingColumns + " FROM recordings WHERE id = ?1");
  if (!s->bind_all(recording_id).step()) return std::nullopt;
  return read_recording(*s);
}

RecordingRow RecordingStore::existing(int64_t recording_id) {
  auto rec = find(recording_id);
  if (!rec) throw Error(ErrorKind::NotFound, "no recording with id " + std::to_string(recording_id));
  return *rec;
}

std::vector<RecordingRow> RecordingStore::for_user(int64_t user_id) {
  auto s = db_.cached(std::string("SELECT ") + kRecordingColumns +
                      " FROM recordings WHERE user_id = ?1 ORDER BY start_utc_ms, id");
  s->bind_all(user_id);
  std::vector<RecordingRow> out;
  while (s->step()) out.push_back(read_recording(*s));
  return out;
}

int64_t RecordingStore::create(const RecordingRow& row) {
  require_non_empty(row.source_key, "source_key");
  require_non_empty(row.model_id, "model_id");
  require_non_empty(row.modality, "modality");
  require_finite_non_negative(row.duration_s, "duration_s");
  require_finite_non_negative(row.tagged_until_s, "tagged_until_s");
  validate_time_zone(row.tz);
  UserStore(db_).get(row.user_id);
  int64_t now = now_utc_ms();
  WriteScope tx(db_);
  if (auto found = find_by_source(row.user_id, row.source_key, row.model_id, row.modality)) {
    throw Error(ErrorKind::InvalidInput,
                "recording '" + row.source_key + "' was already tagged with model '" + row.model_id + "' (id " +
                    std::to_string(found->id) + ", status " + found->status +
                    "); resume it, or delete it (--force) to tag it again",
                ErrorContext{row.source_path, 0, ""});
  }
  auto insert = db_.cached(
      "INSERT INTO recordings(user_id, device_id, source_key, source_path, start_utc_ms, tz, duration_s, "
      "modality, model_id, status, tagged_until_s, meta_json, created_utc_ms, updated_utc_ms) "
      "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'tagging', ?10, ?11, ?12, ?12)");
  std::string meta = row.meta.is_null() ? "{}" : row.meta.dump();
  insert->bind_all(row.user_id, row.device_id, row.source_key, row.source_path, row.start_utc_ms, row.tz,
                   row.duration_s, row.modality, row.model_id, row.tagged_until_s, meta, now);
  insert->run();
  int64_t id = db_.last_insert_rowid();
  tx.commit();
  return id;
}

void RecordingStore::update_info(int64_t recording_id, double duration_s, const nlohmann::json& meta) {
  require_finite_non_negative(duration_s, "duration_s");
  auto s = db_.cached("UPDATE recordings SET duration_s = ?2, meta_json = ?3, updated_utc_ms = ?4 WHERE id = ?1");
  s->bind_all(recording_id, duration_s, meta.is_null() ? std::string("{}") : meta.dump(), now_utc_ms()).run();
  if (db_.changes() == 0) throw Error(ErrorKind::NotFound, "no recording with id " + std::to_string(recording_id));
}

bool RecordingStore::remove(int64_t recording_id) {
  auto s = db_.cached("DELETE FROM recordings WHERE id = ?1");
  s->bind_all(recording_id).run();
  return db_.changes() > 0;
}

void RecordingStore::append_windows(int64_t recording_id, const std::vector<WindowTag>& windows,
                                    double tagged_until_s) {
  require_finite_non_negative(tagged_until_s, "tagged_until_s");
  for (size_t i = 0; i < windows.size(); ++i) storage_checks::validate_window(windows[i], i);

  Transaction tx(db_);
  auto progress = db_.cached(
      "UPDATE recordings SET tagged_until_s = max(tagged_until_s, ?2), updated_utc_ms = ?3 WHERE id = ?1");
  progress->bind_all(recording_id, tagged_until_s, now_utc_ms()).run();
  if (db_.changes() == 0) {
    throw Error(ErrorKind::NotFound, "no recording with id " + std::to_string(recording_id) +
                                         "; create the recording before storing its windows");
  }
  auto insert_window = db_.cached(
      "INSERT INTO windows(recording_id, start_ms, start_s, end_s, modality, valid, invalid_reason) "
      "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(recording_id, start_ms, modality) DO NOTHING");
  auto insert_label = db_.cached("INSERT INTO window_labels(window_id, rank, label, score) VALUES(?1, ?2, ?3, ?4)");
  // Vectors are stored under the recording's model, which is what produced them.
  std::optional<int64_t> model_ref;
  int64_t user_id = 0;
  size_t dim = 0;
  for (size_t i = 0; i < windows.size(); ++i) {
    const auto& vec = windows[i].embedding_f16;
    if (vec.empty()) continue;
    if (!model_ref) {
      const RecordingRow rec = existing(recording_id);
      user_id = rec.user_id;
      dim = vec.size();
      model_ref = EmbeddingStore(db_).register_model(rec.model_id, static_cast<int>(dim));
    } else if (vec.size() != dim) {
      invalid("windows[" + std::to_string(i) + "].embedding_f16",
              "embedding has " + std::to_string(vec.size()) + " values; the batch's first has " + std::to_string(dim));
    }
  }
  auto insert_vec = db_.cached("INSERT INTO window_embeddings(window_id, user_id, model_ref, vec_f16) VALUES(?1, ?2, ?3, ?4)");
  for (const auto& w : windows) {
    insert_window->bind_all(recording_id, storage_checks::to_ms(w.start_s), w.start_s, w.end_s, w.modality, w.valid,
                            w.invalid_reason);
    insert_window->run();
    if (db_.changes() == 0) continue;  // stored by an earlier run: keep that one and its labels
    int64_t window_id = db_.last_insert_rowid();
    for (size_t rank = 0; rank < w.labels.size(); ++rank) {
      insert_label->bind_all(window_id, static_cast<int64_t>(rank), w.labels[rank].label,
                             static_cast<double>(w.labels[rank].score));
      insert_label->run();
    }
    if (!w.embedding_f16.empty()) {
      insert_vec->bind_all(window_id, user_id, *model_ref,
                           BlobRef{w.embedding_f16.data(), w.embedding_f16.size() * sizeof(uint16_t)});
      insert_vec->run();
    }
  }
  tx.commit();
}

std::vector<WindowTag> RecordingStore::windows(int64_t recording_id) {
  auto s = db_.cached(
      "SELECT w.id, w.start_s, w.end_s, w.modality, w.valid, w.invalid_reason, l.label, l.score "
      "FROM windows w LEFT JOIN window_labels l ON l.window_id = w.id "
      "WHERE w.recording_id = ?1 ORDER BY w.start_ms, w.modality, l.rank");
  s->bind_all(recording_id);
  std::vector<WindowTag> out;
  int64_t current_id = -1;
  while (s->step()) {
    int64_t id = s->column_int64(0);
    if (id != current_id) {
      current_id = id;
      WindowTag w;
      w.start_s = s->column_double(1);
      w.end_s = s->column_double(2);
      w.modality = s->column_text(3);
      w.valid = s->column_int64(4) != 0;
      w.invalid_reason = s->column_text(5);
      out.push_back(std::move(w));
    }
    if (!s->column_is_null(6)) {
      out.back().labels.push_back({s->column_text(6), static_cast<float>(s->column_double(7))});
    }
  }
  return out;
}

std::vector<Segment> RecordingStore::segments(int64_t recording_id) {
  auto s = db_.cached(
      "SELECT start_s, end_s, label, mean_score, n_windows, modality FROM segments "
      "WHERE recording_id = ?1 ORDER BY start_s, id");
  s->bind_all(recording_id);
  std::vector<Segment> out;
  while (s->step()) {
    out.push_back({s->column_double(0), s->column_double(1), s->column_text(2),
                   static_cast<float>(s->column_double(3)), s->column_int64(4), s->column_text(5)});
  }
  return out;
}

void RecordingStore::complete(int64_t recording_id, const std::vector<Segment>& segments,
                              const std::vector<LogEntry>& entries) {
  for (size_t i = 0; i < segments.size(); ++i) storage_checks::validate_segment(segments[i], i);
  std::vector<LogEntry> rows = bind_recording_entries(existing(recording_id), entries);

  Transaction tx(db_);
  db_.cached("DELETE FROM segments WHERE recording_id = ?1")->bind_all(recording_id).run();
  insert_segments(recording_id, segments);
  LogEntryStore(db_).replace_recording_lines(recording_id, rows);
  auto done = db_.cached(
      "UPDATE recordings SET status = 'complete', tagged_until_s = max(tagged_until_s, duration_s), "
      "updated_utc_ms = ?2 WHERE id = ?1");
  done->bind_all(recording_id, now_utc_ms()).run();
  tx.commit();
}

void RecordingStore::update_live_segments(int64_t recording_id, double from_s, const std::vector<Segment>& segments,
                                          const std::vector<LogEntry>& entries, double duration_s, bool complete) {
  require_finite_non_negative(from_s, "from_s");
  require_finite_non_negative(duration_s, "duration_s");
  for (size_t i = 0; i < segments.size(); ++i) storage_checks::validate_segment(segments[i], i);
  std::vector<LogEntry> rows = bind_recording_entries(existing(recording_id), entries);

  Transaction tx(db_);
  // Segment starts are window starts computed the same way each time; the tolerance only
  // absorbs the REAL round trip.
  db_.cached("DELETE FROM segments WHERE recording_id = ?1 AND start_s >= ?2")
      ->bind_all(recording_id, from_s - 1e-6)
      .run();
  insert_segments(recording_id, segments);
  LogEntryStore(db_).replace_recording_lines(recording_id, rows, storage_checks::to_ms(from_s));
  db_.cached(
         "UPDATE recordings SET duration_s = ?2, updated_utc_ms = ?3, "
         "status = CASE WHEN ?4 THEN 'complete' ELSE status END, "
         "tagged_until_s = CASE WHEN ?4 THEN max(tagged_until_s, ?2) ELSE tagged_until_s END WHERE id = ?1")
      ->bind_all(recording_id, duration_s, now_utc_ms(), complete)
      .run();
  tx.commit();
}

void RecordingStore::insert_segments(int64_t recording_id, const std::vector<Segment>& segments) {
  auto insert_segment = db_.cached(
      "INSERT INTO segments(recording_id, start_s, end_s, label, mean_score, n_windows, modality) "
      "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  for (const auto& s : segments) {
    insert_segment->bind_all(recording_id, s.start_s, s.end_s, s.label, static_cast<double>(s.mean_score),
                             s.n_windows, s.modality);
    insert_segment->run();
  }
}

}  // namespace imu2clip
