#include "storage/user_store.h"

#include "common/error.h"
#include "common/time/time_zone.h"
#include "storage/retention.h"
#include "storage/row_validation.h"
#include "storage/sqlite_db.h"

namespace imu2clip {
namespace {

constexpr const char* kUserColumns = "id, name, tz, token_hash, created_utc_ms";

UserRow read_user(const Statement& s) {
  return UserRow{s.column_int64(0), s.column_text(1), s.column_text(2), s.column_optional_text(3),
                 s.column_int64(4)};
}

[[noreturn]] void no_user(int64_t id) {
  throw Error(ErrorKind::NotFound, "no user with id " + std::to_string(id));
}

}  // namespace

int64_t UserStore::ensure(const std::string& name, const std::string& tz) {
  storage_checks::require_non_empty(name, "user");
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

std::optional<UserRow> UserStore::find(const std::string& name) {
  auto s = db_.cached(std::string("SELECT ") + kUserColumns + " FROM users WHERE name = ?1");
  if (!s->bind_all(name).step()) return std::nullopt;
  return read_user(*s);
}

UserRow UserStore::get(int64_t id) {
  auto s = db_.cached(std::string("SELECT ") + kUserColumns + " FROM users WHERE id = ?1");
  if (!s->bind_all(id).step()) {
    throw Error(ErrorKind::NotFound, "no user with id " + std::to_string(id) + "; create the user first");
  }
  return read_user(*s);
}

std::vector<UserRow> UserStore::all() {
  auto s = db_.cached(std::string("SELECT ") + kUserColumns + " FROM users ORDER BY name");
  std::vector<UserRow> out;
  while (s->step()) out.push_back(read_user(*s));
  return out;
}

void UserStore::set_tz(int64_t user_id, const std::string& tz) {
  validate_time_zone(tz);
  auto s = db_.cached("UPDATE users SET tz = ?2, updated_utc_ms = ?3 WHERE id = ?1");
  s->bind_all(user_id, tz, now_utc_ms()).run();
  if (db_.changes() == 0) no_user(user_id);
}

void UserStore::set_token_hash(int64_t user_id, const std::optional<std::string>& token_hash) {
  auto s = db_.cached("UPDATE users SET token_hash = ?2, updated_utc_ms = ?3 WHERE id = ?1");
  s->bind_all(user_id, token_hash, now_utc_ms()).run();
  if (db_.changes() == 0) no_user(user_id);
}

bool UserStore::remove(int64_t user_id) {
  auto s = db_.cached("DELETE FROM users WHERE id = ?1");
  s->bind_all(user_id).run();
  const bool removed = db_.changes() > 0;
  // A whole life log can be most of the file: give the space back.
  if (removed && !db_.in_transaction()) reclaim_free_pages(db_);
  return removed;
}

std::optional<UserRow> UserStore::find_by_token_hash(const std::string& token_hash) {
  auto s = db_.cached(std::string("SELECT ") + kUserColumns + " FROM users WHERE token_hash = ?1");
  if (!s->bind_all(token_hash).step()) return std::nullopt;
  return read_user(*s);
}

int64_t UserStore::ensure_device(int64_t user_id, const std::string& name, const std::string& kind) {
  storage_checks::require_non_empty(name, "device");
  get(user_id);  // NotFound with a clear message instead of a foreign-key failure
  WriteScope tx(db_);
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

std::vector<DeviceRow> UserStore::devices(int64_t user_id) {
  auto s = db_.cached("SELECT id, user_id, name, kind FROM devices WHERE user_id = ?1 ORDER BY name");
  s->bind_all(user_id);
  std::vector<DeviceRow> out;
  while (s->step()) out.push_back({s->column_int64(0), s->column_int64(1), s->column_text(2), s->column_text(3)});
  return out;
}

}  // namespace imu2clip
