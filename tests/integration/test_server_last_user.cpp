// Integration test: the first start of `imu2clip serve` on a new database creates the user `me`;
// a restart after every account was deleted does not bring a user back (the person deleted theirs
// on purpose), it says how to add one.
#include <catch2/catch.hpp>

#include "storage/log_store.h"
#include "tests/integration/test_server_harness.h"

using namespace imu2clip::test;
using nlohmann::json;

TEST_CASE("serve does not recreate a user at the start after the last account was deleted",
          "[integration][server][erasure]") {
  std::string db;
  {
    ServerProcess server;
    db = server.db();
    REQUIRE_FALSE(server.first_token().empty());  // the new database got its user `me`
    auto c = server.client();
    auto deleted = c->Delete("/v1/me", bearer(server.first_token()), R"({"confirm": "me"})", "application/json");
    REQUIRE(deleted);
    REQUIRE(deleted->status == 200);
    REQUIRE(server.terminate() == 0);
  }

  ServerProcess restarted({}, db);
  CHECK(restarted.first_token().empty());
  CHECK(restarted.stdout_text().find("has no users (every account was deleted); add one with: imu2clip user add") !=
        std::string::npos);
  CHECK(imu2clip::LogStore(db).count("users") == 0);
  // Adding one by hand works as always.
  const std::string token = add_user(db, "ann");
  CHECK(json_of(restarted.client()->Get("/v1/me", bearer(token)))["user"] == "ann");
}
