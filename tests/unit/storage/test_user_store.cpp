// UserStore on its own, over a real migrated SQLite database.
#include <catch2/catch.hpp>

#include "common/error.h"
#include "storage/user_store.h"
#include "storage_test_util.h"

using namespace imu2clip;
using imu2clip::test::MigratedDatabase;

TEST_CASE("Users are created once, keep their zone and reject unknown zones", "[storage][users]") {
  MigratedDatabase m;
  UserStore users(m.db);
  int64_t ana = users.ensure("ana", "Europe/Berlin");
  CHECK(users.ensure("ana", "America/Los_Angeles") == ana);
  CHECK(users.get(ana).tz == "Europe/Berlin");
  CHECK(m.count("users") == 1);

  auto found = users.find("ana");
  REQUIRE(found);
  CHECK(found->id == ana);
  CHECK(found->created_utc_ms > 0);
  CHECK_FALSE(users.find("bob"));
  CHECK_FALSE(found->token_hash);

  users.set_tz(ana, "Asia/Tokyo");
  CHECK(users.get(ana).tz == "Asia/Tokyo");
  CHECK_THROWS_AS(users.set_tz(ana, "Asia/Nowhere"), Error);
  CHECK(users.get(ana).tz == "Asia/Tokyo");

  try {
    users.ensure("bob", "Mars/Olympus_Mons");
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::InvalidInput);
    CHECK_THAT(e.what(), Catch::Contains("Mars/Olympus_Mons") && Catch::Contains("Europe/Berlin"));
  }
  CHECK_THROWS_AS(users.ensure("", "UTC"), Error);
  CHECK(m.count("users") == 1);
  try {
    users.get(12345);
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::NotFound);
    CHECK_THAT(e.what(), Catch::Contains("12345"));
  }
}

TEST_CASE("A token hash finds its user until it is replaced or cleared", "[storage][users]") {
  MigratedDatabase m;
  UserStore users(m.db);
  int64_t ana = users.ensure("ana", "UTC");
  users.set_token_hash(ana, std::string("sha256:abc"));
  REQUIRE(users.find_by_token_hash("sha256:abc"));
  CHECK(users.find_by_token_hash("sha256:abc")->name == "ana");
  CHECK(users.get(ana).token_hash == std::string("sha256:abc"));

  users.set_token_hash(ana, std::string("sha256:def"));
  CHECK_FALSE(users.find_by_token_hash("sha256:abc"));
  CHECK(users.find_by_token_hash("sha256:def"));
  users.set_token_hash(ana, std::nullopt);
  CHECK_FALSE(users.find_by_token_hash("sha256:def"));
  CHECK_FALSE(users.get(ana).token_hash);

  try {
    users.set_token_hash(ana + 1, std::string("sha256:x"));
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::NotFound);
  }
}

TEST_CASE("All users are listed by name", "[storage][users]") {
  MigratedDatabase m;
  UserStore users(m.db);
  CHECK(users.all().empty());
  users.ensure("zoe", "UTC");
  users.ensure("adam", "Europe/Berlin");
  users.ensure("local", "UTC");
  const auto all = users.all();
  REQUIRE(all.size() == 3);
  CHECK(all[0].name == "adam");
  CHECK(all[0].tz == "Europe/Berlin");
  CHECK(all[1].name == "local");
  CHECK(all[2].name == "zoe");
}

TEST_CASE("Devices are per user and created once", "[storage][users]") {
  MigratedDatabase m;
  UserStore users(m.db);
  int64_t ana = users.ensure("ana", "UTC");
  int64_t bob = users.ensure("bob", "UTC");
  int64_t watch = users.ensure_device(ana, "left wrist", "watch");
  CHECK(users.ensure_device(ana, "left wrist", "phone") == watch);  // the first kind is kept
  CHECK(users.ensure_device(bob, "left wrist", "watch") != watch);
  users.ensure_device(ana, "glasses", "glasses");
  auto devices = users.devices(ana);
  REQUIRE(devices.size() == 2);
  CHECK(devices[0].name == "glasses");
  CHECK(devices[1].name == "left wrist");
  CHECK(devices[1].kind == "watch");
  CHECK(devices[1].user_id == ana);
  try {
    users.ensure_device(999, "x", "watch");
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::NotFound);
  }
  CHECK_THROWS_AS(users.ensure_device(ana, "", "watch"), Error);
}

TEST_CASE("A device created inside a larger write is rolled back with it", "[storage][users]") {
  MigratedDatabase m;
  UserStore users(m.db);
  int64_t ana = users.ensure("ana", "UTC");
  {
    Transaction outer(m.db);
    users.ensure_device(ana, "watch", "watch");
    CHECK(m.db.in_transaction());  // joined the caller's transaction instead of committing
  }  // rolled back
  CHECK(users.devices(ana).empty());
  {
    Transaction outer(m.db);
    users.ensure_device(ana, "watch", "watch");
    outer.commit();
  }
  CHECK(users.devices(ana).size() == 1);
}
