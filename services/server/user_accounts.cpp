#include "services/server/user_accounts.h"

#include "common/error.h"
#include "services/server/api_token.h"
#include "common/time/time_zone.h"

namespace imu2clip::server {

void validate_user_name(const std::string& name) {
  if (name.empty() || name.size() > 64)
    throw Error(ErrorKind::InvalidInput, "a user name has 1 to 64 characters", {"", 0, "name"});
  for (unsigned char c : name)
    if (c <= ' ' || c == '/' || c == 0x7f)
      throw Error(ErrorKind::InvalidInput, "a user name may not contain spaces, control characters or '/': '" + name + "'",
                  {"", 0, "name"});
}

NewUser create_user_with_token(LogStore& store, const std::string& name, const std::string& tz) {
  validate_user_name(name);
  validate_time_zone(tz);
  if (store.users().find(name))
    throw Error(ErrorKind::InvalidInput,
                "user '" + name + "' already exists; use 'imu2clip user token " + name + "' for a new token",
                {"", 0, "name"});
  const int64_t id = store.users().ensure(name, tz);
  NewUser out{store.users().get(id), rotate_user_token(store, id)};
  return out;
}

std::string rotate_user_token(LogStore& store, int64_t user_id) {
  std::string token = generate_api_token();
  store.users().set_token_hash(user_id, hash_api_token(token));
  return token;
}

void delete_user(LogStore& store, const std::string& name) {
  const auto user = store.users().find(name);
  if (!user || !store.users().remove(user->id))
    throw Error(ErrorKind::NotFound, "no user '" + name + "'; 'imu2clip user list' shows who there is",
                {"", 0, "name"});
}

std::optional<UserRow> user_for_token(LogStore& store, const std::string& token) {
  if (token.empty()) return std::nullopt;
  return store.users().find_by_token_hash(hash_api_token(token));
}

}  // namespace imu2clip::server
