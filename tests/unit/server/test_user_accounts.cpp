#include <catch2/catch.hpp>

#include "common/error.h"
#include "services/server/api_token.h"
#include "services/server/user_accounts.h"

using namespace imu2clip;
using namespace imu2clip::server;

TEST_CASE("a new user gets a token whose hash and not the token is stored", "[server][users]") {
  LogStore store(":memory:");
  const NewUser created = create_user_with_token(store, "alice", "Europe/Berlin");
  CHECK(created.user.name == "alice");
  CHECK(created.user.tz == "Europe/Berlin");
  const auto row = store.users().find("alice");
  REQUIRE(row);
  REQUIRE(row->token_hash);
  CHECK(*row->token_hash == hash_api_token(created.token));
  CHECK(row->token_hash->find(created.token) == std::string::npos);
  const auto found = user_for_token(store, created.token);
  REQUIRE(found);
  CHECK(found->id == created.user.id);
  CHECK_FALSE(user_for_token(store, "i2c_wrong"));
  CHECK_FALSE(user_for_token(store, ""));
}

TEST_CASE("rotating a token revokes the old one", "[server][users]") {
  LogStore store(":memory:");
  const NewUser created = create_user_with_token(store, "bob", "UTC");
  const std::string fresh = rotate_user_token(store, created.user.id);
  CHECK(fresh != created.token);
  CHECK_FALSE(user_for_token(store, created.token));
  CHECK(user_for_token(store, fresh));
}

TEST_CASE("duplicate names and bad names and bad zones are refused", "[server][users]") {
  LogStore store(":memory:");
  create_user_with_token(store, "carol", "UTC");
  CHECK_THROWS_AS(create_user_with_token(store, "carol", "UTC"), Error);
  CHECK_THROWS_AS(create_user_with_token(store, "two words", "UTC"), Error);
  CHECK_THROWS_AS(create_user_with_token(store, "", "UTC"), Error);
  CHECK_THROWS_AS(create_user_with_token(store, "dave", "Mars/Olympus"), Error);
  CHECK_FALSE(store.users().find("dave"));
}

TEST_CASE("users are listed by name", "[server][users]") {
  LogStore store(":memory:");
  create_user_with_token(store, "zoe", "UTC");
  create_user_with_token(store, "adam", "UTC");
  store.users().ensure("local", "UTC");
  const auto users = store.users().all();
  REQUIRE(users.size() == 3);
  CHECK(users[0].name == "adam");
  CHECK(users[1].name == "local");
  CHECK_FALSE(users[1].token_hash);
  CHECK(users[2].name == "zoe");
}
