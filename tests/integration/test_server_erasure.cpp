// Integration tests: deleting data through the real `imu2clip serve` (DELETE /v1/recordings/{id},
// DELETE /v1/logs, DELETE /v1/me) and `imu2clip user delete`; another user's data never goes.
#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <sstream>
#include <thread>

#include "tests/integration/process.h"
#include "tests/integration/test_server_harness.h"

using namespace imu2clip::test;
using nlohmann::json;

namespace {

constexpr int64_t kDay = 1710028800;  // 2024-03-10T00:00:00Z, epoch seconds
const std::string kWholeDay = "from=2024-03-10T00:00:00Z&to=2024-03-11T00:00:00Z";

// Minute-level imported lines 08:00-12:00 UTC, each 60 s long.
std::string day_of_logs() {
  std::ostringstream out;
  for (int m = 8 * 60; m < 12 * 60; ++m)
    out << json{{"t", kDay + m * 60}, {"duration_s", 60}, {"labels", {"sitting"}}, {"modality", "context"}}.dump()
        << "\n";
  return out.str();
}

void import_day(httplib::Client& c, const std::string& token) {
  auto r = c.Post("/v1/logs/import", bearer(token), day_of_logs(), "application/x-ndjson");
  REQUIRE(json_of(r)["imported"] == 240);
}

size_t entries_of(httplib::Client& c, const std::string& token) {
  return json_of(c.Get("/v1/logs?" + kWholeDay, bearer(token)))["entries"].size();
}

// Uploads 30 s of IMU at `start_iso` and waits for its tagging job: the recording's id.
int64_t tagged_upload(httplib::Client& c, const std::string& token, const std::string& start_iso) {
  const json status = wait_for_job(c, token, submit_upload(c, token, "start=" + start_iso + "&name=walk.csv", imu_csv(30)));
  INFO(status.dump());
  REQUIRE(status["state"] == "done");
  return status["recording_id"].get<int64_t>();
}

json error_of(const httplib::Result& r, int status) {
  const json body = json_of(r);
  CHECK(r->status == status);
  REQUIRE(body.contains("error"));
  return body["error"];
}

}  // namespace

TEST_CASE("DELETE /v1/recordings/{id} removes the user's own recording and answers 404 to anyone else",
          "[integration][server][erasure]") {
  ServerProcess server;
  auto c = server.client();
  const std::string alice = server.first_token();
  const std::string bob = add_user(server.db(), "bob");
  const int64_t rec = tagged_upload(*c, alice, "2024-03-10T13:00:00Z");
  const int64_t bobs = tagged_upload(*c, bob, "2024-03-10T13:00:00Z");
  const size_t alice_lines = entries_of(*c, alice);
  REQUIRE(alice_lines > 0);
  const std::string path = "/v1/recordings/" + std::to_string(rec);

  CHECK(error_of(c->Delete(path, bearer(bob)), 404)["code"] == "not_found");
  CHECK(error_of(c->Delete("/v1/recordings/987654", bearer(alice)), 404)["code"] == "not_found");
  CHECK(error_of(c->Delete("/v1/recordings/abc", bearer(alice)), 400)["field"] == "id");
  CHECK(entries_of(*c, alice) == alice_lines);

  auto r = c->Delete(path, bearer(alice));
  const json counts = json_of(r);
  CHECK(r->status == 200);
  CHECK(counts["recordings"] == 1);
  CHECK(counts["log_lines"] == alice_lines);
  CHECK(counts["windows"].get<int64_t>() > 0);
  CHECK(entries_of(*c, alice) == 0);
  CHECK(error_of(c->Delete(path, bearer(alice)), 404)["code"] == "not_found");

  CHECK(entries_of(*c, bob) > 0);
  CHECK(json_of(c->Delete("/v1/recordings/" + std::to_string(bobs), bearer(bob)))["recordings"] == 1);
  CHECK(server.terminate() == 0);
}

TEST_CASE("DELETE /v1/logs removes one user's lines and recordings in a period and needs both ends",
          "[integration][server][erasure]") {
  ServerProcess server;
  auto c = server.client();
  const std::string alice = server.first_token();
  const std::string bob = add_user(server.db(), "bob");
  import_day(*c, alice);
  import_day(*c, bob);
  tagged_upload(*c, alice, "2024-03-10T13:00:00Z");
  const size_t alice_lines = entries_of(*c, alice);

  CHECK(error_of(c->Delete("/v1/logs?from=2024-03-10T09:00:00Z", bearer(alice)), 400)["field"] == "to");
  CHECK(error_of(c->Delete("/v1/logs?to=2024-03-10T09:00:00Z", bearer(alice)), 400)["field"] == "from");
  CHECK(error_of(c->Delete("/v1/logs?from=2024-03-10T10:00:00Z&to=2024-03-10T09:00:00Z", bearer(alice)), 400)["field"] ==
        "from");
  CHECK(error_of(c->Delete("/v1/logs?from=2023-01-01T00:00:00Z&to=2024-03-10T09:00:00Z", bearer(alice)), 400)["field"] ==
        "from");
  CHECK(error_of(c->Delete("/v1/logs?from=yesterday&to=2024-03-10T09:00:00Z", bearer(alice)), 400)["field"] == "from");
  CHECK(entries_of(*c, alice) == alice_lines);

  // 09:00-10:00 as epoch ms: the 60 lines starting in it (the 08:59 line ends at 09:00 and stays).
  auto r = c->Delete("/v1/logs?from=" + std::to_string((kDay + 9 * 3600) * 1000) +
                         "&to=" + std::to_string((kDay + 10 * 3600) * 1000),
                     bearer(alice));
  json counts = json_of(r);
  CHECK(r->status == 200);
  CHECK(counts == json{{"recordings", 0}, {"log_lines", 60}, {"windows", 0}});
  CHECK(entries_of(*c, alice) == alice_lines - 60);

  // The afternoon holds the whole uploaded recording: it goes with its windows and lines.
  r = c->Delete("/v1/logs?from=2024-03-10T12:30:00Z&to=2024-03-10T14:00:00Z", bearer(alice));
  counts = json_of(r);
  CHECK(counts["recordings"] == 1);
  CHECK(counts["windows"].get<int64_t>() > 0);
  CHECK(counts["log_lines"] == alice_lines - 240);
  CHECK(entries_of(*c, alice) == 180);

  CHECK(entries_of(*c, bob) == 240);
  CHECK(server.terminate() == 0);
}

TEST_CASE("DELETE /v1/me needs the user's name and afterwards their token answers 401", "[integration][server][erasure]") {
  ServerProcess server;
  auto c = server.client();
  const std::string alice = server.first_token();
  const std::string bob = add_user(server.db(), "bob");
  import_day(*c, alice);
  import_day(*c, bob);

  CHECK(error_of(c->Delete("/v1/me", bearer(bob)), 400)["field"] == "confirm");
  CHECK(error_of(c->Delete("/v1/me", bearer(bob), json{{"confirm", "me"}}.dump(), "application/json"), 400)["field"] ==
        "confirm");
  CHECK(entries_of(*c, bob) == 240);

  auto r = c->Delete("/v1/me", bearer(bob), json{{"confirm", "bob"}}.dump(), "application/json");
  CHECK(json_of(r)["deleted"] == "bob");
  CHECK(r->status == 200);
  CHECK(error_of(c->Get("/v1/me", bearer(bob)), 401)["code"] == "invalid_api_key");
  CHECK(error_of(c->Get("/v1/logs?" + kWholeDay, bearer(bob)), 401)["code"] == "invalid_api_key");
  // A new bob starts empty.
  const std::string new_bob = add_user(server.db(), "bob");
  CHECK(entries_of(*c, new_bob) == 0);
  CHECK(entries_of(*c, alice) == 240);
  CHECK(server.terminate() == 0);
}

TEST_CASE("imu2clip user delete needs --yes and removes the user with their data", "[integration][server][erasure]") {
  ServerProcess server;
  auto c = server.client();
  const std::string alice = server.first_token();
  const std::string bob = add_user(server.db(), "bob");
  import_day(*c, bob);

  auto refused = run_process({imu2clip_binary(), "user", "delete", "bob", "--db", server.db()});
  CHECK(refused.exit_code != 0);
  CHECK(refused.err.find("--yes") != std::string::npos);
  CHECK(entries_of(*c, bob) == 240);

  auto unknown = run_process({imu2clip_binary(), "user", "delete", "nobody", "--db", server.db(), "--yes"});
  CHECK(unknown.exit_code != 0);
  CHECK(unknown.err.find("nobody") != std::string::npos);

  auto deleted = run_process({imu2clip_binary(), "user", "delete", "bob", "--db", server.db(), "--yes"});
  INFO(deleted.err);
  CHECK(deleted.exit_code == 0);
  CHECK(error_of(c->Get("/v1/me", bearer(bob)), 401)["code"] == "invalid_api_key");
  CHECK(json_of(c->Get("/v1/me", bearer(alice)))["user"] == "me");
  CHECK(server.terminate() == 0);
}
