#include "storage/embedding_store.h"

#include <cstring>

#include "common/error.h"
#include "storage/sqlite_db.h"

namespace imu2clip {
namespace {

// The range test on a window w of recording r, parameters ?from / ?to (NULL = unbounded).
std::string range_clause(int from_param, int to_param) {
  const std::string from = "?" + std::to_string(from_param), to = "?" + std::to_string(to_param);
  return "r.start_utc_ms IS NOT NULL AND (" + from + " IS NULL OR r.start_utc_ms + w.end_s * 1000 > " + from +
         ") AND (" + to + " IS NULL OR r.start_utc_ms + w.start_s * 1000 < " + to + ")";
}

std::vector<uint16_t> read_vec(const Statement& s, int column, const EmbeddingModel& model, int64_t window_id) {
  const BlobRef blob = s.column_blob(column);
  if (blob.size != static_cast<size_t>(model.dim) * 2) {
    throw Error(ErrorKind::Corrupt, "window " + std::to_string(window_id) + " has a stored vector of " +
                                        std::to_string(blob.size) + " bytes; model '" + model.model_id + "' has dim " +
                                        std::to_string(model.dim),
                ErrorContext{"", 0, "window_embeddings.vec_f16"});
  }
  std::vector<uint16_t> v(static_cast<size_t>(model.dim));
  if (blob.size) std::memcpy(v.data(), blob.data, blob.size);
  return v;
}

}  // namespace

std::optional<EmbeddingModel> EmbeddingStore::model(const std::string& model_id) {
  auto s = db_.cached("SELECT id, model_id, dim FROM embedding_models WHERE model_id = ?1");
  if (!s->bind_all(model_id).step()) return std::nullopt;
  return EmbeddingModel{s->column_int64(0), s->column_text(1), static_cast<int>(s->column_int64(2))};
}

std::vector<EmbeddingModel> EmbeddingStore::models() {
  auto s = db_.cached("SELECT id, model_id, dim FROM embedding_models ORDER BY id");
  std::vector<EmbeddingModel> out;
  while (s->step()) out.push_back({s->column_int64(0), s->column_text(1), static_cast<int>(s->column_int64(2))});
  return out;
}

int64_t EmbeddingStore::register_model(const std::string& model_id, int dim) {
  if (model_id.empty()) throw Error(ErrorKind::InvalidInput, "an embedding needs a model id", ErrorContext{"", 0, "model_id"});
  if (dim <= 0) throw Error(ErrorKind::InvalidInput, "an embedding needs at least one value", ErrorContext{"", 0, "dim"});
  if (auto found = model(model_id)) {
    if (found->dim != dim) {
      throw Error(ErrorKind::InvalidInput,
                  "model '" + model_id + "' stored embeddings of dim " + std::to_string(found->dim) +
                      ", not " + std::to_string(dim),
                  ErrorContext{"", 0, "embedding_f16"});
    }
    return found->ref;
  }
  db_.cached("INSERT INTO embedding_models(model_id, dim) VALUES(?1, ?2)")->bind_all(model_id, dim).run();
  return db_.last_insert_rowid();
}

EmbeddingStore::Counts EmbeddingStore::counts(int64_t user_id, int64_t model_ref) {
  auto s = db_.cached("SELECT stored, deleted FROM embedding_counts WHERE user_id = ?1 AND model_ref = ?2");
  if (!s->bind_all(user_id, model_ref).step()) return {};
  return {s->column_int64(0), s->column_int64(1)};
}

int64_t EmbeddingStore::max_window_id(int64_t user_id, int64_t model_ref) {
  auto s = db_.cached("SELECT window_id FROM window_embeddings WHERE user_id = ?1 AND model_ref = ?2 "
                      "ORDER BY window_id DESC LIMIT 1");
  return s->bind_all(user_id, model_ref).step() ? s->column_int64(0) : 0;
}

void EmbeddingStore::scan(int64_t user_id, const EmbeddingModel& model, int64_t after_window_id,
                          const TimeRange& range, const RowFn& row) {
  const size_t bytes = static_cast<size_t>(model.dim) * 2;
  auto s = range.bounded()
               ? db_.cached("SELECT e.window_id, e.vec_f16 FROM window_embeddings e "
                            "JOIN windows w ON w.id = e.window_id JOIN recordings r ON r.id = w.recording_id "
                            "WHERE e.user_id = ?1 AND e.model_ref = ?2 AND e.window_id > ?3 AND " +
                            range_clause(4, 5) + " ORDER BY e.window_id")
               : db_.cached("SELECT window_id, vec_f16 FROM window_embeddings "
                            "WHERE user_id = ?1 AND model_ref = ?2 AND window_id > ?3 ORDER BY window_id");
  s->bind_all(user_id, model.ref, after_window_id);
  if (range.bounded()) s->bind(4, range.from_utc_ms).bind(5, range.to_utc_ms);
  while (s->step()) {
    const int64_t id = s->column_int64(0);
    const BlobRef blob = s->column_blob(1);
    if (blob.size != bytes) read_vec(*s, 1, model, id);  // throws Corrupt with the details
    if (!row(id, static_cast<const uint16_t*>(blob.data))) break;
  }
}

std::optional<std::vector<uint16_t>> EmbeddingStore::vector(int64_t user_id, const EmbeddingModel& model,
                                                            int64_t window_id) {
  auto s = db_.cached("SELECT vec_f16 FROM window_embeddings WHERE window_id = ?1 AND user_id = ?2 AND model_ref = ?3");
  if (!s->bind_all(window_id, user_id, model.ref).step()) return std::nullopt;
  return read_vec(*s, 0, model, window_id);
}

bool EmbeddingStore::in_range(int64_t user_id, int64_t window_id, const TimeRange& range) {
  auto s = db_.cached("SELECT 1 FROM windows w JOIN recordings r ON r.id = w.recording_id "
                      "WHERE w.id = ?1 AND r.user_id = ?2 AND " + range_clause(3, 4));
  s->bind_all(window_id, user_id);
  s->bind(3, range.from_utc_ms).bind(4, range.to_utc_ms);
  return s->step();
}

std::vector<WindowDetails> EmbeddingStore::details(int64_t user_id, const std::vector<int64_t>& window_ids) {
  auto window = db_.cached(
      "SELECT w.recording_id, r.model_id, w.modality, w.start_s, w.end_s, r.start_utc_ms, w.start_ms, "
      "l.label, l.score FROM windows w JOIN recordings r ON r.id = w.recording_id "
      "LEFT JOIN window_labels l ON l.window_id = w.id AND l.rank = 0 WHERE w.id = ?1 AND r.user_id = ?2");
  auto line = db_.cached(
      "SELECT text FROM log_entries WHERE recording_id = ?1 AND offset_ms IS NOT NULL AND offset_ms < ?2 "
      "ORDER BY offset_ms DESC LIMIT 1");
  std::vector<WindowDetails> out;
  for (int64_t id : window_ids) {
    window->reset();
    if (!window->bind_all(id, user_id).step()) continue;
    WindowDetails d;
    d.window_id = id;
    d.recording_id = window->column_int64(0);
    d.model_id = window->column_text(1);
    d.modality = window->column_text(2);
    d.start_s = window->column_double(3);
    d.end_s = window->column_double(4);
    if (auto start = window->column_optional_int64(5)) {
      d.start_utc_ms = *start + window->column_int64(6);
      d.end_utc_ms = *start + static_cast<int64_t>(d.end_s * 1000.0 + 0.5);
    }
    if (!window->column_is_null(7)) {
      d.top_label = window->column_text(7);
      d.top_score = static_cast<float>(window->column_double(8));
    }
    line->reset();
    if (line->bind_all(d.recording_id, static_cast<int64_t>(d.end_s * 1000.0 + 0.5)).step()) d.log_line = line->column_text(0);
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace imu2clip
