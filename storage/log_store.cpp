#include "storage/log_store.h"

#include <cmath>
#include <set>

#include "common/error.h"
#include "storage/schema.h"
#include "storage/time_zone.h"

namespace imu2clip {
namespace {

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

constexpr const char* kUserColumns = "id, name, tz, token_hash, created_utc_ms";

UserRow read_user(const Statement& s) {
  return UserRow{s.column_int64(0), s.column_text(1), s.column_text(2), s.column_optional_text(3),
                 s.column_int64(4)};
}

constexpr const char* kLogColumns = "id, user_id, recording_id, t_utc_ms, offset_ms, duration_ms, modality, text";

LogEntry read_log_entry(const Statement& s) {
  LogEntry e;
  e.id = s.column_int64(0);
  e.user_id = s.column_int64(1);
  e.recording_id = s.column_optional_int64(2);
  e.t_utc_ms = s.column_optional_int64(3);
  e.offset_ms = s.column_optional_int64(4);
  e.duration_ms = s.column_int64(5);
  e.modality = s.column_text(6);
  e.text = s.column_text(7);
  return e;
}

[[noreturn]] void invalid(const std::string& field, const std::string& message) {
  throw Error(ErrorKind::InvalidInput, message, ErrorContext{"", 0, field});
}

void require_non_empty(const std::string& value, const std::string& field) {
  if (value.empty()) invalid(field, field + " must not be empty");
}

void require_finite_non_negative(double value, const std::string& field) {
  if (!std::isfinite(value) || value < 0) {
    invalid(field, field + " must be a finite number >= 0 (got " + std::to_string(value) + ")");
  }
}

// Seconds to the integer key that makes window inserts idempotent despite float noise.
int64_t to_ms(double seconds) { return static_cast<int64_t>(std::llround(seconds * 1000.0)); }

void validate_window(const WindowTag& w, size_t index) {
  std::string where = "windows[" + std::to_string(index) + "]";
  require_finite_non_negative(w.start_s, where + ".start_s");
  if (!std::isfinite(w.end_s) || w.end_s < w.start_s) {
    invalid(where + ".end_s", "window end " + std::to_string(w.end_s) + " s is before its start " +
                                  std::to_string(w.start_s) + " s");
  }
  require_non_empty(w.modality, where + ".modality");
  for (size_t k = 0; k < w.labels.size(); ++k) {
    if (!std::isfinite(w.labels[k].score)) {
      invalid(where + ".labels[" + std::to_string(k) + "].score", "label scores must be finite numbers");
    }
  }
}

void validate_segment(const Segment& s, size_t index) {
  std::string where = "segments[" + std::to_string(index) + "]";
  require_finite_non_negative(s.start_s, where + ".start_s");
  if (!std::isfinite(s.end_s) || s.end_s < s.start_s) invalid(where + ".end_s", "segment ends before it starts");
  if (!std::isfinite(s.mean_score)) invalid(where + ".mean_score", "mean_score must be a finite number");
  if (s.n_windows < 0) invalid(where + ".n_windows", "n_windows must be >= 0");
  require_non_empty(s.modality, where + ".modality");
}

void validate_log_entry(const LogEntry& e, size_t index) {
  std::string where = "entries[" + std::to_string(index) + "]";
  if (!e.t_utc_ms && !e.offset_ms) invalid(where, "a log entry needs t_utc_ms or offset_ms");
  if (e.offset_ms && !e.recording_id) invalid(where + ".offset_ms", "offset_ms needs a recording_id");
  if (e.offset_ms && *e.offset_ms < 0) invalid(where + ".offset_ms", "offset_ms must be >= 0");
  if (e.duration_ms < 0) invalid(where + ".duration_ms", "duration_ms must be >= 0");
  require_non_empty(e.modality, where + ".modality");
  require_non_empty(e.text, where + ".text");
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
    validate_log_entry(e, i);
  }
  return rows;
}

}  // namespace

LogStore::LogStore(const std::string& path, DatabaseOptions options) : db_(path, options) {
  schema_version_ = migrate(db_);
}

// ------------------------------------------------------------------ users

int64_t LogStore::ensure_user(const std::string& name, const std::string& tz) {
  require_non_empty(name, "user");
  validate_time_zone(tz);
  int64_t now = now_utc_ms();
  Transaction tx(db_);
  auto insert = db_.cached(
      "INSERT INTO users(name, tz, created_utc_ms, updated_utc_ms) VALUES(?1, ?2, ?3, ?3) "
      "ON CONFLICT(name) DO NOTHING");
  insert->bind_all(name, tz, now).run();
  auto select = db_.cached("SELECT id FROM users WHERE name = ?1");
  select->bind_all(name).step();
  int64_t id = select->column_int64(0);
  tx.commit();
  return id;
}

std::optional<UserRow> LogStore::find_user(const std::string& name) {
  auto s = db_.cached(std::string("SELECT ") + kUserColumns + " FROM users WHERE name = ?1");
  if (!s->bind_all(name).step()) return std::nullopt;
  return read_user(*s);
}

UserRow LogStore::user(int64_t id) {
  auto s = db_.cached(std::string("SELECT ") + kUserColumns + " FROM users WHERE id = ?1");
  if (!s->bind_all(id).step()) {
    throw Error(ErrorKind::NotFound, "no user with id " + std::to_string(id) + "; create it with ensure_user first");
  }
  return read_user(*s);
}

void LogStore::set_user_tz(int64_t user_id, const std::string& tz) {
  validate_time_zone(tz);
  auto s = db_.cached("UPDATE users SET tz = ?2, updated_utc_ms = ?3 WHERE id = ?1");
  s->bind_all(user_id, tz, now_utc_ms()).run();
  if (db_.changes() == 0) throw Error(ErrorKind::NotFound, "no user with id " + std::to_string(user_id));
}

void LogStore::set_user_token_hash(int64_t user_id, const std::optional<std::string>& token_hash) {
  auto s = db_.cached("UPDATE users SET token_hash = ?2, updated_utc_ms = ?3 WHERE id = ?1");
  s->bind_all(user_id, token_hash, now_utc_ms()).run();
  if (db_.changes() == 0) throw Error(ErrorKind::NotFound, "no user with id " + std::to_string(user_id));
}

std::optional<UserRow> LogStore::find_user_by_token_hash(const std::string& token_hash) {
  auto s = db_.cached(std::string("SELECT ") + kUserColumns + " FROM users WHERE token_hash = ?1");
  if (!s->bind_all(token_hash).step()) return std::nullopt;
  return read_user(*s);
}

// ------------------------------------------------------------------ devices

int64_t LogStore::ensure_device(int64_t user_id, const std::string& name, const std::string& kind) {
  require_non_empty(name, "device");
  user(user_id);  // NotFound with a clear message instead of a foreign-key failure
  Transaction tx(db_);
  auto insert = db_.cached(
      "INSERT INTO devices(user_id, name, kind, created_utc_ms) VALUES(?1, ?2, ?3, ?4) "
      "ON CONFLICT(user_id, name) DO NOTHING");
  insert->bind_all(user_id, name, kind, now_utc_ms()).run();
  auto select = db_.cached("SELECT id FROM devices WHERE user_id = ?1 AND name = ?2");
  select->bind_all(user_id, name).step();
  int64_t id = select->column_int64(0);
  tx.commit();
  return id;
}

std::vector<DeviceRow> LogStore::devices(int64_t user_id) {
  auto s = db_.cached("SELECT id, user_id, name, kind FROM devices WHERE user_id = ?1 ORDER BY name");
  s->bind_all(user_id);
  std::vector<DeviceRow> out;
  while (s->step()) out.push_back({s->column_int64(0), s->column_int64(1), s->column_text(2), s->column_text(3)});
  return out;
}

// ------------------------------------------------------------------ recordings

std::optional<RecordingRow> LogStore::find_recording(int64_t user_id, const std::string& source_key,
                                                     const std::string& model_id, const std::string& modality) {
  auto s = db_.cached(std::string("SELECT ") + kRecordingColumns +
                      " FROM recordings WHERE user_id = ?1 AND source_key = ?2 AND model_id = ?3 AND modality = ?4");
  if (!s->bind_all(user_id, source_key, model_id, modality).step()) return std::nullopt;
  return read_recording(*s);
}

std::optional<RecordingRow> LogStore::recording(int64_t recording_id) {
  auto s = db_.cached(std::string("SELECT ") + kRecordingColumns + " FROM recordings WHERE id = ?1");
  if (!s->bind_all(recording_id).step()) return std::nullopt;
  return read_recording(*s);
}

int64_t LogStore::create_recording(const RecordingRow& row) {
  require_non_empty(row.source_key, "source_key");
  require_non_empty(row.model_id, "model_id");
  require_non_empty(row.modality, "modality");
  require_finite_non_negative(row.duration_s, "duration_s");
  require_finite_non_negative(row.tagged_until_s, "tagged_until_s");
  validate_time_zone(row.tz);
  user(row.user_id);
  int64_t now = now_utc_ms();
  Transaction tx(db_);
  if (auto existing = find_recording(row.user_id, row.source_key, row.model_id, row.modality)) {
    throw Error(ErrorKind::InvalidInput,
                "recording '" + row.source_key + "' was already tagged with model '" + row.model_id + "' (id " +
                    std::to_string(existing->id) + ", status " + existing->status +
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

void LogStore::update_recording_info(int64_t recording_id, double duration_s, const nlohmann::json& meta) {
  require_finite_non_negative(duration_s, "duration_s");
  auto s = db_.cached("UPDATE recordings SET duration_s = ?2, meta_json = ?3, updated_utc_ms = ?4 WHERE id = ?1");
  s->bind_all(recording_id, duration_s, meta.is_null() ? std::string("{}") : meta.dump(), now_utc_ms()).run();
  if (db_.changes() == 0) throw Error(ErrorKind::NotFound, "no recording with id " + std::to_string(recording_id));
}

bool LogStore::delete_recording(int64_t recording_id) {
  auto s = db_.cached("DELETE FROM recordings WHERE id = ?1");
  s->bind_all(recording_id).run();
  return db_.changes() > 0;
}

std::vector<RecordingRow> LogStore::recordings(int64_t user_id) {
  auto s = db_.cached(std::string("SELECT ") + kRecordingColumns +
                      " FROM recordings WHERE user_id = ?1 ORDER BY start_utc_ms, id");
  s->bind_all(user_id);
  std::vector<RecordingRow> out;
  while (s->step()) out.push_back(read_recording(*s));
  return out;
}

// ------------------------------------------------------------------ windows and segments

void LogStore::append_windows(int64_t recording_id, const std::vector<WindowTag>& windows, double tagged_until_s) {
  require_finite_non_negative(tagged_until_s, "tagged_until_s");
  for (size_t i = 0; i < windows.size(); ++i) validate_window(windows[i], i);

  Transaction tx(db_);
  auto progress = db_.cached(
      "UPDATE recordings SET tagged_until_s = max(tagged_until_s, ?2), updated_utc_ms = ?3 WHERE id = ?1");
  progress->bind_all(recording_id, tagged_until_s, now_utc_ms()).run();
  if (db_.changes() == 0) {
    throw Error(ErrorKind::NotFound, "no recording with id " + std::to_string(recording_id) +
                                         "; create it with create_recording before storing windows");
  }
  auto insert_window = db_.cached(
      "INSERT INTO windows(recording_id, start_ms, start_s, end_s, modality, valid, invalid_reason) "
      "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(recording_id, start_ms, modality) DO NOTHING");
  auto insert_label = db_.cached("INSERT INTO window_labels(window_id, rank, label, score) VALUES(?1, ?2, ?3, ?4)");
  for (const auto& w : windows) {
    insert_window->bind_all(recording_id, to_ms(w.start_s), w.start_s, w.end_s, w.modality, w.valid,
                            w.invalid_reason);
    insert_window->run();
    if (db_.changes() == 0) continue;  // stored by an earlier run: keep that one and its labels
    int64_t window_id = db_.last_insert_rowid();
    for (size_t rank = 0; rank < w.labels.size(); ++rank) {
      insert_label->bind_all(window_id, static_cast<int64_t>(rank), w.labels[rank].label,
                             static_cast<double>(w.labels[rank].score));
      insert_label->run();
    }
  }
  tx.commit();
}

void LogStore::complete_recording(int64_t recording_id, const std::vector<Segment>& segments,
                                  const std::vector<LogEntry>& entries) {
  for (size_t i = 0; i < segments.size(); ++i) validate_segment(segments[i], i);
  auto rec = recording(recording_id);
  if (!rec) throw Error(ErrorKind::NotFound, "no recording with id " + std::to_string(recording_id));

  std::vector<LogEntry> rows = bind_recording_entries(*rec, entries);

  int64_t now = now_utc_ms();
  Transaction tx(db_);
  db_.cached("DELETE FROM segments WHERE recording_id = ?1")->bind_all(recording_id).run();
  db_.cached("DELETE FROM log_entries WHERE recording_id = ?1")->bind_all(recording_id).run();
  insert_segments(recording_id, segments);
  for (const auto& e : rows) insert_log_entry(e, now);
  auto done = db_.cached(
      "UPDATE recordings SET status = 'complete', tagged_until_s = max(tagged_until_s, duration_s), "
      "updated_utc_ms = ?2 WHERE id = ?1");
  done->bind_all(recording_id, now).run();
  tx.commit();
}

std::vector<WindowTag> LogStore::windows(int64_t recording_id) {
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

std::vector<Segment> LogStore::segments(int64_t recording_id) {
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

// ------------------------------------------------------------------ log entries

void LogStore::insert_segments(int64_t recording_id, const std::vector<Segment>& segments) {
  auto insert_segment = db_.cached(
      "INSERT INTO segments(recording_id, start_s, end_s, label, mean_score, n_windows, modality) "
      "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  for (const auto& s : segments) {
    insert_segment->bind_all(recording_id, s.start_s, s.end_s, s.label, static_cast<double>(s.mean_score),
                             s.n_windows, s.modality);
    insert_segment->run();
  }
}

void LogStore::insert_log_entry(const LogEntry& e, int64_t now_ms) {
  auto insert = db_.cached(
      "INSERT INTO log_entries(user_id, recording_id, t_utc_ms, offset_ms, duration_ms, modality, text, "
      "created_utc_ms) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  insert->bind_all(e.user_id, e.recording_id, e.t_utc_ms, e.offset_ms, e.duration_ms, e.modality, e.text, now_ms);
  insert->run();
}

std::vector<LogEntry> LogStore::log_entries(int64_t user_id, int64_t from_utc_ms, int64_t to_utc_ms) {
  auto s = db_.cached(std::string("SELECT ") + kLogColumns +
                      " FROM log_entries WHERE user_id = ?1 AND t_utc_ms >= ?2 AND t_utc_ms < ?3 "
                      "ORDER BY t_utc_ms, id");
  s->bind_all(user_id, from_utc_ms, to_utc_ms);
  std::vector<LogEntry> out;
  while (s->step()) out.push_back(read_log_entry(*s));
  return out;
}

std::vector<LogEntry> LogStore::recording_log_entries(int64_t recording_id) {
  auto s = db_.cached(std::string("SELECT ") + kLogColumns +
                      " FROM log_entries WHERE recording_id = ?1 ORDER BY offset_ms, t_utc_ms, id");
  s->bind_all(recording_id);
  std::vector<LogEntry> out;
  while (s->step()) out.push_back(read_log_entry(*s));
  return out;
}

int64_t LogStore::add_log_entries(const std::vector<LogEntry>& entries) {
  for (size_t i = 0; i < entries.size(); ++i) validate_log_entry(entries[i], i);
  // Check references up front: NotFound naming the id beats a bare foreign-key failure.
  std::set<int64_t> users;
  for (const auto& e : entries) users.insert(e.user_id);
  for (int64_t id : users) user(id);
  for (size_t i = 0; i < entries.size(); ++i) {
    if (!entries[i].recording_id) continue;
    auto rec = recording(*entries[i].recording_id);
    if (!rec) throw Error(ErrorKind::NotFound, "no recording with id " + std::to_string(*entries[i].recording_id));
    if (rec->user_id != entries[i].user_id) {
      invalid("entries[" + std::to_string(i) + "].recording_id", "the recording belongs to another user");
    }
  }
  int64_t now = now_utc_ms();
  Transaction tx(db_);
  for (const auto& e : entries) insert_log_entry(e, now);
  tx.commit();
  return static_cast<int64_t>(entries.size());
}

// ------------------------------------------------------------------ live streams

LiveAppendResult LogStore::append_live_samples(const LiveAppendRequest& r) {
  require_non_empty(r.device, "device");
  require_non_empty(r.model_id, "model_id");
  if (r.n == 0 || !r.t_utc_ms || !r.values) invalid("t_utc_ms", "a batch needs at least one sample");
  if (r.max_gap_ms < 0) invalid("max_gap_ms", "max_gap_ms must be >= 0");
  const UserRow owner = user(r.user_id);
  const int64_t now = now_utc_ms();

  Transaction tx(db_);
  db_.cached("INSERT INTO devices(user_id, name, kind, created_utc_ms) VALUES(?1, ?2, ?3, ?4) "
             "ON CONFLICT(user_id, name) DO NOTHING")
      ->bind_all(r.user_id, r.device, r.device_kind, now)
      .run();
  LiveAppendResult out;
  {
    auto select = db_.cached("SELECT id FROM devices WHERE user_id = ?1 AND name = ?2");
    select->bind_all(r.user_id, r.device).step();
    out.device_id = select->column_int64(0);
  }

  std::optional<int64_t> current, last_t, current_start;
  bool same_model = false;
  {
    auto stream = db_.cached(
        "SELECT s.recording_id, s.last_t_utc_ms, rec.model_id, rec.start_utc_ms FROM live_streams s "
        "LEFT JOIN recordings rec ON rec.id = s.recording_id WHERE s.device_id = ?1");
    if (stream->bind_all(out.device_id).step()) {
      current = stream->column_optional_int64(0);
      last_t = stream->column_int64(1);
      same_model = current && !stream->column_is_null(2) && stream->column_text(2) == r.model_id;
      current_start = stream->column_optional_int64(3);
    }
  }
  if (last_t && r.t_utc_ms[0] <= *last_t) {
    invalid("t_utc_ms[0]", "t_utc_ms[0] = " + std::to_string(r.t_utc_ms[0]) +
                               " is not after the last sample already stored for device '" + r.device + "' (" +
                               std::to_string(*last_t) + "); send each device's samples in time order, once");
  }
  // A session without a known start cannot place its windows: start a new one.
  bool usable = current && same_model && current_start;

  auto create = db_.cached(
      "INSERT INTO recordings(user_id, device_id, source_key, source_path, start_utc_ms, tz, duration_s, "
      "modality, model_id, status, tagged_until_s, meta_json, created_utc_ms, updated_utc_ms) "
      "VALUES(?1, ?2, ?3, ?4, ?5, ?6, 0, 'imu', ?7, 'tagging', 0, ?8, ?9, ?9)");
  auto insert = db_.cached(
      "INSERT INTO live_samples(recording_id, t_utc_ms, ax, ay, az, gx, gy, gz) "
      "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  int64_t prev_t = last_t.value_or(0);
  for (size_t i = 0; i < r.n; ++i) {
    const int64_t t = r.t_utc_ms[i];
    if (i > 0 && t <= prev_t) {
      invalid("t_utc_ms[" + std::to_string(i) + "]", "timestamps must be strictly increasing");
    }
    if (!usable || t - prev_t > r.max_gap_ms) {
      if (current) out.closed_recordings.push_back(*current);
      const std::string key = "live:" + r.device + ":" + std::to_string(t);
      const nlohmann::json meta = {{"live", true}, {"device", r.device}};
      create->bind_all(r.user_id, out.device_id, key, "live:" + r.device, t, owner.tz, r.model_id, meta.dump(), now);
      create->run();
      current = db_.last_insert_rowid();
      current_start = t;
      usable = true;
      out.parts.push_back({*current, t, t, t, 0, true});
    } else if (out.parts.empty()) {
      out.parts.push_back({*current, *current_start, t, t, 0, false});
    }
    const auto& v = r.values[i];
    insert->bind_all(*current, t, static_cast<double>(v[0]), static_cast<double>(v[1]), static_cast<double>(v[2]),
                     static_cast<double>(v[3]), static_cast<double>(v[4]), static_cast<double>(v[5]));
    insert->run();
    out.parts.back().last_t_utc_ms = t;
    ++out.parts.back().samples;
    prev_t = t;
  }
  db_.cached("INSERT INTO live_streams(device_id, recording_id, last_t_utc_ms, updated_utc_ms) "
             "VALUES(?1, ?2, ?3, ?4) ON CONFLICT(device_id) DO UPDATE SET recording_id = excluded.recording_id, "
             "last_t_utc_ms = excluded.last_t_utc_ms, updated_utc_ms = excluded.updated_utc_ms")
      ->bind_all(out.device_id, *current, prev_t, now)
      .run();
  tx.commit();
  return out;
}

std::vector<LiveSample> LogStore::live_samples(int64_t recording_id, int64_t from_utc_ms, int64_t to_utc_ms,
                                               int64_t limit) {
  auto s = db_.cached(
      "SELECT t_utc_ms, ax, ay, az, gx, gy, gz FROM live_samples "
      "WHERE recording_id = ?1 AND t_utc_ms >= ?2 AND t_utc_ms < ?3 ORDER BY t_utc_ms LIMIT ?4");
  s->bind_all(recording_id, from_utc_ms, to_utc_ms, limit);
  std::vector<LiveSample> out;
  while (s->step()) {
    LiveSample x;
    x.t_utc_ms = s->column_int64(0);
    for (int c = 0; c < 6; ++c) x.v[static_cast<size_t>(c)] = static_cast<float>(s->column_double(c + 1));
    out.push_back(x);
  }
  return out;
}

int64_t LogStore::delete_live_samples(int64_t recording_id, int64_t before_utc_ms) {
  db_.cached("DELETE FROM live_samples WHERE recording_id = ?1 AND t_utc_ms < ?2")
      ->bind_all(recording_id, before_utc_ms)
      .run();
  return db_.changes();
}

int64_t LogStore::trim_live_samples(int64_t recording_id, int64_t t_utc_ms) {
  db_.cached(
         "DELETE FROM live_samples WHERE recording_id = ?1 AND t_utc_ms < "
         "(SELECT max(t_utc_ms) FROM live_samples WHERE recording_id = ?1 AND t_utc_ms <= ?2)")
      ->bind_all(recording_id, t_utc_ms)
      .run();
  return db_.changes();
}

std::vector<LivePending> LogStore::live_pending() {
  auto s = db_.cached(
      "SELECT p.recording_id, min(p.t_utc_ms), max(p.t_utc_ms), count(*), "
      "EXISTS(SELECT 1 FROM live_streams s WHERE s.recording_id = p.recording_id) "
      "FROM live_samples p GROUP BY p.recording_id ORDER BY p.recording_id");
  std::vector<LivePending> out;
  while (s->step()) {
    out.push_back({s->column_int64(0), s->column_int64(1), s->column_int64(2), s->column_int64(3),
                   s->column_int64(4) != 0});
  }
  return out;
}

void LogStore::update_live_segments(int64_t recording_id, double from_s, const std::vector<Segment>& segments,
                                    const std::vector<LogEntry>& entries, double duration_s, bool complete) {
  require_finite_non_negative(from_s, "from_s");
  require_finite_non_negative(duration_s, "duration_s");
  for (size_t i = 0; i < segments.size(); ++i) validate_segment(segments[i], i);
  auto rec = recording(recording_id);
  if (!rec) throw Error(ErrorKind::NotFound, "no recording with id " + std::to_string(recording_id));
  std::vector<LogEntry> rows = bind_recording_entries(*rec, entries);

  const int64_t now = now_utc_ms();
  Transaction tx(db_);
  // Segment starts are window starts computed the same way each time; the tolerance only
  // absorbs the REAL round trip.
  db_.cached("DELETE FROM segments WHERE recording_id = ?1 AND start_s >= ?2")
      ->bind_all(recording_id, from_s - 1e-6)
      .run();
  db_.cached("DELETE FROM log_entries WHERE recording_id = ?1 AND offset_ms >= ?2")
      ->bind_all(recording_id, to_ms(from_s))
      .run();
  insert_segments(recording_id, segments);
  for (const auto& e : rows) insert_log_entry(e, now);
  db_.cached(
         "UPDATE recordings SET duration_s = ?2, updated_utc_ms = ?3, "
         "status = CASE WHEN ?4 THEN 'complete' ELSE status END, "
         "tagged_until_s = CASE WHEN ?4 THEN max(tagged_until_s, ?2) ELSE tagged_until_s END WHERE id = ?1")
      ->bind_all(recording_id, duration_s, now, complete)
      .run();
  tx.commit();
}

int64_t LogStore::count(const std::string& table) {
  static const std::set<std::string> kTables = {"users",         "devices",  "recordings",  "windows",
                                                "window_labels", "segments", "log_entries", "live_streams",
                                                "live_samples"};
  if (!kTables.count(table)) invalid("table", "unknown table '" + table + "'; use one of users, devices, "
                                              "recordings, windows, window_labels, segments, log_entries, "
                                              "live_streams, live_samples");
  return db_.query_int64("SELECT COUNT(*) FROM " + table);
}

}  // namespace imu2clip
