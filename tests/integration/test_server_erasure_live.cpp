// Integration test: DELETE /v1/logs of a period while the real server is still tagging that live
// session: the lines of the period do not come back once the session goes on and is tagged.
#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <thread>

#include "tests/integration/test_server_harness.h"

using namespace imu2clip::test;
using nlohmann::json;

namespace {

// `seconds` of 50 Hz samples from `start_iso`: a slow sine, so consecutive windows look alike
// and the session has one long open segment the tagger keeps rewriting.
json imu_batch(const std::string& start_iso, int seconds) {
  json samples = json::array();
  for (int i = 0; i < seconds * 50; ++i) {
    const double t = i / 50.0;
    samples.push_back({std::sin(t), 0.5, 9.8, 0.01 * std::cos(t), 0.0, 0.0});
  }
  return {{"device", "watch"}, {"device_kind", "watch"}, {"start", start_iso}, {"rate_hz", 50}, {"samples", samples}};
}

json entries_between(httplib::Client& c, const std::string& token, const std::string& from, const std::string& to) {
  return json_of(c.Get("/v1/logs?from=" + from + "&to=" + to + "&tz=UTC", bearer(token)))["entries"];
}

// Waits (generously: a loaded machine) until a log line starting in [from, to) reaches
// `until_utc_ms` (the tagger has got that far).
bool wait_for_lines(httplib::Client& c, const std::string& token, const std::string& from, const std::string& to,
                    int64_t until_utc_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (std::chrono::steady_clock::now() < deadline) {
    for (const auto& e : entries_between(c, token, from, to)) {
      if (e["t_utc_ms"].get<int64_t>() + std::llround(e["duration_s"].get<double>() * 1000) >= until_utc_ms) return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

constexpr int64_t k0900 = 1710061200000;  // 2024-03-10T09:00:00Z

}  // namespace

TEST_CASE("DELETE /v1/logs during live ingest: the period's lines are not tagged back in",
          "[integration][server][erasure]") {
  ServerProcess server;
  auto c = server.client();
  const std::string token = server.first_token();
  const auto post = [&](const json& batch) {
    auto r = c->Post("/v1/imu", bearer(token), batch.dump(), "application/json");
    REQUIRE(r);
    REQUIRE(r->status == 202);
  };
  post(imu_batch("2024-03-10T09:00:00Z", 60));
  REQUIRE(wait_for_lines(*c, token, "2024-03-10T09:00:00Z", "2024-03-10T09:00:30Z", k0900 + 20 * 1000));

  auto deleted = c->Delete("/v1/logs?from=2024-03-10T08:59:00Z&to=2024-03-10T09:00:30Z", bearer(token));
  REQUIRE(deleted);
  REQUIRE(deleted->status == 200);
  CHECK(json_of(deleted)["log_lines"].get<int64_t>() > 0);
  CHECK(entries_between(*c, token, "2024-03-10T08:59:00Z", "2024-03-10T09:00:30Z").empty());

  // The same session goes on (no gap): once its next minute is tagged, the tagger has rewritten
  // its open segments (a line reaching 09:01:40).
  post(imu_batch("2024-03-10T09:01:00Z", 60));
  REQUIRE(wait_for_lines(*c, token, "2024-03-10T09:00:30Z", "2024-03-10T09:02:00Z", k0900 + 100 * 1000));
  CHECK(server.terminate() == 0);  // flushes: the session's tail is tagged and completed too

  ServerProcess restarted({}, server.db());
  auto after = restarted.client();
  const json gone = entries_between(*after, token, "2024-03-10T08:59:00Z", "2024-03-10T09:00:30Z");
  INFO(gone.dump());
  CHECK(gone.empty());
  CHECK_FALSE(entries_between(*after, token, "2024-03-10T09:00:30Z", "2024-03-10T09:02:00Z").empty());
}
