#include "storage/upload_job_store.h"

#include "common/error.h"
#include "common/time/time_zone.h"
#include "storage/row_validation.h"
#include "storage/sqlite_db.h"

namespace imu2clip {
namespace {

constexpr const char* kJobColumns =
    "id, user_id, state, upload_name, options_json, recording_id, summary_json, error, created_utc_ms, "
    "updated_utc_ms, finished_utc_ms";

UploadJobRow read_job(const Statement& s) {
  UploadJobRow r;
  r.id = s.column_int64(0);
  r.user_id = s.column_int64(1);
  r.state = s.column_text(2);
  r.upload_name = s.column_text(3);
  r.options = nlohmann::json::parse(s.column_text(4));
  r.recording_id = s.column_optional_int64(5);
  r.summary = nlohmann::json::parse(s.column_text(6));
  r.error = s.column_text(7);
  r.created_utc_ms = s.column_int64(8);
  r.updated_utc_ms = s.column_int64(9);
  r.finished_utc_ms = s.column_optional_int64(10);
  return r;
}

[[noreturn]] void no_job(int64_t id) {
  throw Error(ErrorKind::NotFound, "no upload job " + std::to_string(id), {"", 0, "id"});
}

}  // namespace

int64_t UploadJobStore::add(int64_t user_id, const std::string& upload_name, const nlohmann::json& options) {
  storage_checks::require_non_empty(upload_name, "upload_name");
  if (!options.is_object()) storage_checks::invalid("options", "job options must be a JSON object");
  const int64_t now = now_utc_ms();
  auto s = db_.cached(
      "INSERT INTO upload_jobs(user_id, state, upload_name, options_json, created_utc_ms, updated_utc_ms) "
      "VALUES(?1, 'queued', ?2, ?3, ?4, ?4)");
  s->bind_all(user_id, upload_name, options.dump(), now).run();
  return db_.last_insert_rowid();
}

std::optional<UploadJobRow> UploadJobStore::get(int64_t id) {
  auto s = db_.cached(std::string("SELECT ") + kJobColumns + " FROM upload_jobs WHERE id = ?1");
  if (!s->bind_all(id).step()) return std::nullopt;
  return read_job(*s);
}

int64_t UploadJobStore::last_id() {
  // AUTOINCREMENT keeps the high-water mark in sqlite_sequence, which outlives deleted rows.
  return db_.query_int64("SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'upload_jobs'), 0)");
}

void UploadJobStore::set_state(int64_t id, const std::string& state) {
  if (state != "queued" && state != "running")
    storage_checks::invalid("state", "a job is set to 'queued' or 'running' here, not '" + state + "'");
  auto s = db_.cached("UPDATE upload_jobs SET state = ?2, updated_utc_ms = ?3 WHERE id = ?1");
  s->bind_all(id, state, now_utc_ms()).run();
  if (db_.changes() == 0) no_job(id);
}

void UploadJobStore::finish_done(int64_t id, int64_t recording_id, const nlohmann::json& summary) {
  const int64_t now = now_utc_ms();
  auto s = db_.cached(
      "UPDATE upload_jobs SET state = 'done', recording_id = ?2, summary_json = ?3, error = '', "
      "updated_utc_ms = ?4, finished_utc_ms = ?4 WHERE id = ?1");
  s->bind_all(id, recording_id, summary.dump(), now).run();
  if (db_.changes() == 0) no_job(id);
}

void UploadJobStore::finish_failed(int64_t id, const std::string& error) {
  const int64_t now = now_utc_ms();
  auto s = db_.cached(
      "UPDATE upload_jobs SET state = 'failed', error = ?2, updated_utc_ms = ?3, finished_utc_ms = ?3 "
      "WHERE id = ?1");
  s->bind_all(id, error, now).run();
  if (db_.changes() == 0) no_job(id);
}

std::vector<UploadJobRow> UploadJobStore::unfinished() {
  std::vector<UploadJobRow> out;
  auto s = db_.cached(std::string("SELECT ") + kJobColumns +
                      " FROM upload_jobs WHERE state IN ('queued', 'running') ORDER BY id");
  while (s->step()) out.push_back(read_job(*s));
  return out;
}

std::map<std::string, int64_t> UploadJobStore::count_by_state() {
  std::map<std::string, int64_t> out;
  auto s = db_.cached("SELECT state, COUNT(*) FROM upload_jobs GROUP BY state");
  while (s->step()) out[s->column_text(0)] = s->column_int64(1);
  return out;
}

int64_t UploadJobStore::prune_finished(int64_t user_id, int64_t keep) {
  if (keep < 0) storage_checks::invalid("keep", "keep must be >= 0");
  auto s = db_.cached(
      "DELETE FROM upload_jobs WHERE user_id = ?1 AND state IN ('done', 'failed') AND id NOT IN "
      "(SELECT id FROM upload_jobs WHERE user_id = ?1 AND state IN ('done', 'failed') ORDER BY id DESC LIMIT ?2)");
  s->bind_all(user_id, keep).run();
  return db_.changes();
}

}  // namespace imu2clip
