#pragma once
// Users and their API tokens, shared by `imu2clip user` and `imu2clip serve` (first start).
// Tokens are returned once to be shown to the person; only their hash is stored.
#include <cstdint>
#include <string>
#include <vector>

#include "storage/log_store.h"

namespace imu2clip::server {

// Throws InvalidInput unless the name is 1-64 printable characters without spaces or '/'.
void validate_user_name(const std::string& name);

struct NewUser {
  UserRow user;
  std::string token;
};

// Creates the user (InvalidInput if the name is taken or the zone unknown) with a new token.
NewUser create_user_with_token(LogStore& store, const std::string& name, const std::string& tz);

// Replaces the user's token (the old one stops working) and returns the new one.
std::string rotate_user_token(LogStore& store, int64_t user_id);

// Deletes the user called `name` with everything of theirs (their token stops working at
// once). NotFound when there is no such user.
void delete_user(LogStore& store, const std::string& name);

// The user a bearer token belongs to, if any.
std::optional<UserRow> user_for_token(LogStore& store, const std::string& token);

}  // namespace imu2clip::server
