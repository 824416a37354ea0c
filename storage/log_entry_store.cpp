#include "storage/log_entry_store.h"

#include <set>

#include "common/error.h"
#include "common/time/time_zone.h"
#include "storage/recording_store.h"
#include "storage/row_validation.h"
#include "storage/sqlite_db.h"
#include "storage/user_store.h"

namespace imu2clip {
namespace {

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

}  // namespace

std::vector<LogEntry> LogEntryStore::between(int64_t user_id, int64_t from_utc_ms, int64_t to_utc_ms,
                                             std::optional<int64_t> limit) {
  // LIMIT -1 is no limit in SQLite.
  auto s = db_.cached(std::string("SELECT ") + kLogColumns +
                      " FROM log_entries WHERE user_id = ?1 AND t_utc_ms >= ?2 AND t_utc_ms < ?3 "
                      "ORDER BY t_utc_ms, id LIMIT ?4");
  s->bind_all(user_id, from_utc_ms, to_utc_ms, limit.value_or(-1));
  std::vector<LogEntry> out;
  while (s->step()) out.push_back(read_log_entry(*s));
  return out;
}

bool LogEntryStore::any_between(int64_t user_id, int64_t from_utc_ms, int64_t to_utc_ms) {
  auto s = db_.cached("SELECT 1 FROM log_entries WHERE user_id = ?1 AND t_utc_ms >= ?2 AND t_utc_ms < ?3 LIMIT 1");
  s->bind_all(user_id, from_utc_ms, to_utc_ms);
  return s->step();
}

std::vector<std::string> LogEntryStore::distinct_texts(int64_t user_id) {
  auto s = db_.cached("SELECT DISTINCT text FROM log_entries WHERE user_id = ?1 ORDER BY text");
  s->bind_all(user_id);
  std::vector<std::string> out;
  while (s->step()) out.push_back(s->column_text(0));
  return out;
}

std::vector<std::string> LogEntryStore::texts_only_of_modality(int64_t user_id, const std::string& modality) {
  auto s = db_.cached(
      "SELECT text FROM log_entries WHERE user_id = ?1 GROUP BY text "
      "HAVING MIN(modality) = ?2 AND MAX(modality) = ?2 ORDER BY text");
  s->bind_all(user_id, modality);
  std::vector<std::string> out;
  while (s->step()) out.push_back(s->column_text(0));
  return out;
}

int64_t LogEntryStore::last_id() { return db_.query_int64("SELECT COALESCE(MAX(id), 0) FROM log_entries"); }

std::vector<LogEntry> LogEntryStore::for_recording(int64_t recording_id) {
  auto s = db_.cached(std::string("SELECT ") + kLogColumns +
                      " FROM log_entries WHERE recording_id = ?1 ORDER BY offset_ms, t_utc_ms, id");
  s->bind_all(recording_id);
  std::vector<LogEntry> out;
  while (s->step()) out.push_back(read_log_entry(*s));
  return out;
}

int64_t LogEntryStore::add(const std::vector<LogEntry>& entries) {
  for (size_t i = 0; i < entries.size(); ++i) storage_checks::validate_log_entry(entries[i], i);
  // Check references up front: NotFound naming the id beats a bare foreign-key failure.
  std::set<int64_t> users;
  for (const auto& e : entries) users.insert(e.user_id);
  for (int64_t id : users) UserStore(db_).get(id);
  for (size_t i = 0; i < entries.size(); ++i) {
    if (!entries[i].recording_id) continue;
    auto rec = RecordingStore(db_).find(*entries[i].recording_id);
    if (!rec) throw Error(ErrorKind::NotFound, "no recording with id " + std::to_string(*entries[i].recording_id));
    if (rec->user_id != entries[i].user_id) {
      storage_checks::invalid("entries[" + std::to_string(i) + "].recording_id",
                              "the recording belongs to another user");
    }
  }
  int64_t now = now_utc_ms();
  Transaction tx(db_);
  for (const auto& e : entries) insert(e, now);
  tx.commit();
  return static_cast<int64_t>(entries.size());
}

void LogEntryStore::replace_recording_lines(int64_t recording_id, const std::vector<LogEntry>& rows,
                                            std::optional<int64_t> from_offset_ms) {
  const int64_t now = now_utc_ms();
  WriteScope tx(db_);
  if (from_offset_ms) {
    db_.cached("DELETE FROM log_entries WHERE recording_id = ?1 AND offset_ms >= ?2")
        ->bind_all(recording_id, *from_offset_ms)
        .run();
  } else {
    db_.cached("DELETE FROM log_entries WHERE recording_id = ?1")->bind_all(recording_id).run();
  }
  for (const auto& e : rows) insert(e, now);
  tx.commit();
}

void LogEntryStore::insert(const LogEntry& e, int64_t now_ms) {
  auto insert = db_.cached(
      "INSERT INTO log_entries(user_id, recording_id, t_utc_ms, offset_ms, duration_ms, modality, text, "
      "created_utc_ms) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  insert->bind_all(e.user_id, e.recording_id, e.t_utc_ms, e.offset_ms, e.duration_ms, e.modality, e.text, now_ms);
  insert->run();
}

}  // namespace imu2clip
