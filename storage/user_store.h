#pragma once
// Users, their API token hashes and their devices (tables users, devices).
// A view over one open Database: cheap to construct, used from the connection's thread only.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/records.h"

namespace imu2clip {

class Database;

class UserStore {
 public:
  explicit UserStore(Database& db) : db_(db) {}

  // The user's id, creating the user when new; validates tz; an existing user's tz is kept.
  int64_t ensure(const std::string& name, const std::string& tz);
  // The user called `name`, if any.
  std::optional<UserRow> find(const std::string& name);
  // The user with this id; throws NotFound.
  UserRow get(int64_t id);
  // Every user, by name.
  std::vector<UserRow> all();
  // Changes the zone the user's log is displayed in; validates tz.
  void set_tz(int64_t user_id, const std::string& tz);
  // Stores (or clears, with nullopt) the hash of the user's API token.
  void set_token_hash(int64_t user_id, const std::optional<std::string>& token_hash);
  // The user whose token hash this is, if any.
  std::optional<UserRow> find_by_token_hash(const std::string& token_hash);
  // Deletes the user with everything of theirs (token, devices, recordings and all derived from
  // them, log lines, live samples and audio, upload jobs: the foreign keys cascade); false if
  // absent.
  bool remove(int64_t user_id);

  // The device's id, creating it when new; an existing device's kind is kept. Joins the
  // caller's transaction when one is open.
  int64_t ensure_device(int64_t user_id, const std::string& name, const std::string& kind);
  // The user's devices, by name.
  std::vector<DeviceRow> devices(int64_t user_id);

 private:
  Database& db_;
};

}  // namespace imu2clip
