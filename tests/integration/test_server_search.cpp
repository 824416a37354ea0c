// Integration tests: GET /v1/search and `imu2clip search` over the real server and binary with
// an untrained test bundle. The query is embedded like a label, so searching a label's text
// must rank windows by the score their stored tag has; users never see each other's windows;
// deleting a recording deletes its vectors.
#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <map>
#include <sstream>
#include <thread>

#include "storage/log_store.h"
#include "tests/integration/process.h"
#include "tests/integration/test_server_harness.h"

using namespace imu2clip::test;
using nlohmann::json;

namespace {

// Uploads 40 s of IMU at `start_iso` whose 5 s windows move differently (amplitude and rate
// change per window), waits for its tagging job and returns the recording's id.
int64_t tagged_upload(httplib::Client& c, const std::string& token, const std::string& start_iso) {
  std::ostringstream csv;
  csv << "t_ms,ax,ay,az,gx,gy,gz\n";
  for (int i = 0; i < 50 * 40; ++i) {
    const int w = i / 250;
    const double a = 0.5 + w, f = 0.5 + 0.7 * w, t = i / 50.0;
    csv << i * 20 << "," << a * std::sin(f * t) << "," << a * std::cos(2 * f * t) << "," << 9.8 - w << ","
        << 0.1 * w * std::sin(t) << ",0," << 0.05 * w << "\n";
  }
  const json status = wait_for_job(c, token, submit_upload(c, token, "start=" + start_iso + "&name=moves.csv", csv.str()));
  INFO(status.dump());
  REQUIRE(status["state"] == "done");
  return status["recording_id"].get<int64_t>();
}

// Each stored window's score for `label`, by window id (from the database, as tagging left it).
std::map<int64_t, double> stored_scores(const std::string& db, const std::string& label) {
  imu2clip::LogStore store(db);
  auto s = store.database().prepare("SELECT window_id, score FROM window_labels WHERE label = ?1");
  s.bind_all(label);
  std::map<int64_t, double> out;
  while (s.step()) out[s.column_int64(0)] = s.column_double(1);
  return out;
}

json search(httplib::Client& c, const std::string& token, const std::string& query) {
  auto r = c.Get("/v1/search?" + query, bearer(token));
  REQUIRE(r);
  INFO(r->body);
  REQUIRE(r->status == 200);
  return json_of(r);
}

json search_error(httplib::Client& c, const std::string& token, const std::string& query) {
  auto r = c.Get("/v1/search?" + query, bearer(token));
  REQUIRE(r);
  CHECK(r->status == 400);
  const json body = json_of(r);
  REQUIRE(body.contains("error"));
  return body["error"];
}

}  // namespace

TEST_CASE("GET /v1/search ranks the user's windows like their tags and finds the best window first",
          "[integration][server][search]") {
  ServerProcess server;
  auto c = server.client();
  const std::string alice = server.first_token();
  const int64_t rec = tagged_upload(*c, alice, "2024-03-10T13:00:00Z");

  const auto walking = stored_scores(server.db(), "walking");
  // 7 or 8 windows of 5 s (the last one needs the whole 40 s), each with all three labels (top 5).
  const size_t n = walking.size();
  REQUIRE(n >= 7);
  int64_t best = 0;
  for (const auto& [id, score] : walking)
    if (best == 0 || score > walking.at(best)) best = id;

  const json body = search(*c, alice, "q=walking&k=10");
  CHECK(body["query"] == "walking");
  CHECK(body["method"] == "exact");
  CHECK(body["searched_windows"] == n);
  const json& results = body["results"];
  REQUIRE(results.size() == n);
  // Rank 1 is the window whose "walking" tag scored highest (fp16 storage: within 2e-3).
  CHECK(walking.at(results[0]["window_id"].get<int64_t>()) >= walking.at(best) - 2e-3);
  for (size_t i = 0; i < results.size(); ++i) {
    const json& hit = results[i];
    INFO(hit.dump());
    CHECK(hit["recording_id"] == rec);
    CHECK(hit["score"].get<double>() == Approx(walking.at(hit["window_id"].get<int64_t>())).margin(2e-3));
    if (i > 0) CHECK(hit["score"].get<double>() <= results[i - 1]["score"].get<double>());
    CHECK(hit["modality"] == "imu");
    CHECK_FALSE(hit["log_line"].get<std::string>().empty());
    CHECK(hit["end_utc_ms"].get<int64_t>() - hit["start_utc_ms"].get<int64_t>() == 5000);
  }

  SECTION("k and the time range limit the results") {
    CHECK(search(*c, alice, "q=walking&k=3")["results"].size() == 3);
    // 13:00:00-13:00:10 overlaps the first two windows only.
    const json first = search(*c, alice, "q=running&from=2024-03-10T13:00:00Z&to=2024-03-10T13:00:10Z")["results"];
    REQUIRE(first.size() == 2);
    for (const auto& hit : first) CHECK(hit["offset_s"].get<double>() < 10.0);
  }

  SECTION("another user never sees these windows") {
    const std::string bob = add_user(server.db(), "bob");
    CHECK(search(*c, bob, "q=walking")["results"].empty());
    const int64_t bobs = tagged_upload(*c, bob, "2024-03-10T13:00:00Z");
    for (const auto& hit : search(*c, bob, "q=walking&k=100")["results"]) CHECK(hit["recording_id"] == bobs);
    for (const auto& hit : search(*c, alice, "q=walking&k=100")["results"]) CHECK(hit["recording_id"] == rec);
  }

  SECTION("deleting the recording deletes its vectors") {
    auto r = c->Delete("/v1/recordings/" + std::to_string(rec), bearer(alice));
    REQUIRE(r);
    REQUIRE(r->status == 200);
    CHECK(search(*c, alice, "q=walking")["results"].empty());
    imu2clip::LogStore store(server.db());
    CHECK(store.count("window_embeddings") == 0);
  }

  SECTION("imu2clip search gives the same ranking from the command line") {
    const auto cli = run_process({imu2clip_binary(), "search", "--db", server.db(), "--user", "me", "--model",
                                  test_model_path(), "-k", "10", "--json", "walking"});
    INFO(cli.err);
    REQUIRE(cli.exit_code == 0);
    const json out = json::parse(cli.out);
    REQUIRE(out["results"].size() == n);
    for (size_t i = 0; i < n; ++i) CHECK(out["results"][i]["window_id"] == results[i]["window_id"]);
  }
}

TEST_CASE("GET /v1/search refuses malformed queries and names the field", "[integration][server][search]") {
  ServerProcess server;
  auto c = server.client();
  const std::string t = server.first_token();
  CHECK(search_error(*c, t, "k=3")["field"] == "q");
  CHECK(search_error(*c, t, "q=%20%20")["field"] == "q");
  CHECK(search_error(*c, t, "q=" + std::string(501, 'a'))["field"] == "q");
  CHECK(search_error(*c, t, "q=walking&k=0")["field"] == "k");
  CHECK(search_error(*c, t, "q=walking&k=101")["field"] == "k");
  CHECK(search_error(*c, t, "q=walking&k=ten")["field"] == "k");
  CHECK(search_error(*c, t, "q=walking&from=yesterday")["field"] == "from");
  CHECK(search_error(*c, t, "q=walking&from=2024-03-11T00:00:00Z&to=2024-03-10T00:00:00Z")["field"] == "from");
  auto anonymous = c->Get("/v1/search?q=walking");
  REQUIRE(anonymous);
  CHECK(anonymous->status == 401);
  // No windows yet: an empty list, not an error.
  const json empty = search(*c, t, "q=walking");
  CHECK(empty["results"].empty());
  CHECK(empty["method"] == "none");
}
