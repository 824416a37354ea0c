// Integration tests: the real `imu2clip serve` binary on a loopback port, driven over HTTP.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <sstream>
#include <thread>

#include "storage/log_store.h"
#include "tests/integration/test_server_harness.h"
#include "tests/support/fake_openai_server.h"

using namespace imu2clip;
using namespace imu2clip::test;
using nlohmann::json;

namespace {

constexpr int64_t kDay = 1710028800;  // 2024-03-10T00:00:00Z, epoch seconds

// A day of minute-level imported log lines: walking 08:00-09:00, sitting 09:00-12:00 (UTC).
std::string day_of_logs() {
  std::ostringstream out;
  for (int m = 8 * 60; m < 12 * 60; ++m)
    out << json{{"t", kDay + m * 60}, {"duration_s", 60}, {"labels", {m < 9 * 60 ? "walking" : "sitting"}},
                {"modality", "context"}}
               .dump()
        << "\n";
  return out.str();
}

json ask_body(const std::string& question, bool stream = false) {
  return {{"question", question}, {"as_of", "2024-03-10T20:00:00Z"}, {"tz", "UTC"}, {"stream", stream}};
}

void import_day(httplib::Client& c, const std::string& token) {
  auto r = c.Post("/v1/logs/import", bearer(token), day_of_logs(), "application/x-ndjson");
  const json body = json_of(r);
  REQUIRE(r->status == 200);
  CHECK(body["lines"] == 240);
  CHECK(body["imported"] == 240);
}

// The error object of a response, checking the status and the JSON shape.
json error_of(const httplib::Result& r, int status) {
  const json body = json_of(r);
  CHECK(r->status == status);
  REQUIRE(body.contains("error"));
  CHECK(body["error"]["message"].is_string());
  CHECK(body["error"]["type"].is_string());
  CHECK(body["error"]["code"].is_string());
  return body["error"];
}

// 50 Hz IMU samples: a slow sine on every axis.
json imu_batch(const std::string& start_iso, int seconds) {
  json samples = json::array();
  for (int i = 0; i < seconds * 50; ++i) {
    const double t = i / 50.0;
    samples.push_back({std::sin(t), 0.5, 9.8, 0.01 * std::cos(t), 0.0, 0.0});
  }
  return {{"device", "watch"}, {"device_kind", "watch"}, {"start", start_iso}, {"rate_hz", 50}, {"samples", samples}};
}

}  // namespace

TEST_CASE("first start creates user 'me' and prints its token and /v1 needs a valid bearer token", "[integration][server]") {
  ServerProcess server;
  REQUIRE_FALSE(server.first_token().empty());
  CHECK(server.stdout_text().find("open http://127.0.0.1:") != std::string::npos);
  auto c = server.client();

  const json health = json_of(c->Get("/healthz"));
  CHECK(health["status"] == "ok");
  CHECK(health["model_id"].get<std::string>().size() > 8);

  CHECK(error_of(c->Get("/v1/me"), 401)["code"] == "invalid_api_key");
  CHECK(error_of(c->Get("/v1/me", bearer("i2c_0000")), 401)["code"] == "invalid_api_key");
  CHECK(error_of(c->Get("/v1/me", {{"Authorization", "Basic abc"}}), 401)["type"] == "authentication_error");
  // A POST with a body and no token is refused, and the connection stays usable.
  error_of(c->Post("/v1/ask", ask_body("how long did I walk?").dump(), "application/json"), 401);

  const json me = json_of(c->Get("/v1/me", bearer(server.first_token())));
  CHECK(me["user"] == "me");
  CHECK(me["tz"].is_string());

  // Tokens never appear in the server's log.
  CHECK(server.stderr_text().find(server.first_token()) == std::string::npos);
  CHECK(server.terminate() == 0);
}

TEST_CASE("a user sees only their own logs and timeline and jobs", "[integration][server]") {
  ServerProcess server;
  auto c = server.client();
  const std::string alice = server.first_token();
  const std::string bob = add_user(server.db(), "bob");
  import_day(*c, alice);

  const std::string range = "/v1/logs?from=2024-03-10T00:00:00Z&to=2024-03-11T00:00:00Z";
  const json mine = json_of(c->Get(range, bearer(alice)));
  REQUIRE(mine["entries"].size() == 240);
  CHECK(mine["entries"][0]["text"] == "walking");
  CHECK(mine["entries"][0]["t_utc_ms"] == kDay * 1000 + 8 * 3600 * 1000);
  CHECK(mine["entries"][0]["line"].get<std::string>().find("walking") != std::string::npos);
  // one merged line per minute (a single modality here, so one per entry)
  REQUIRE(mine["lines"].size() == 240);
  CHECK(mine["lines"][0]["t_utc_ms"] == mine["entries"][0]["t_utc_ms"]);
  CHECK(mine["lines"][0]["line"] == mine["entries"][0]["line"]);
  CHECK(json_of(c->Get(range, bearer(bob)))["entries"].empty());

  const json timeline = json_of(c->Get("/v1/timeline?date=2024-03-10&tz=UTC", bearer(alice)));
  REQUIRE(timeline["segments"].size() == 2);
  CHECK(timeline["segments"][0]["label"] == "walking");
  CHECK(timeline["segments"][0]["start_min"] == Approx(480));
  CHECK(timeline["segments"][0]["end_min"] == Approx(540));
  CHECK(timeline["segments"][1]["end_min"] == Approx(720));
  CHECK(json_of(c->Get("/v1/timeline?date=2024-03-10&tz=UTC", bearer(bob)))["segments"].empty());

  // A job of alice's is invisible to bob: 404, exactly like an id that does not exist.
  const std::string csv = imu_csv(30);
  const int64_t job = submit_upload(*c, alice, "start=2024-03-10T13:00:00Z&name=walk.csv", csv);
  const std::string job_path = "/v1/jobs/" + std::to_string(job);
  CHECK(error_of(c->Get(job_path, bearer(bob)), 404)["code"] == "not_found");
  CHECK(error_of(c->Get("/v1/jobs/987654", bearer(alice)), 404)["code"] == "not_found");
  json status = wait_for_job(*c, alice, job);
  INFO(status.dump());
  CHECK(status["state"] == "done");
  CHECK(status["recording_id"].is_number());

  // The same file as a browser form upload.
  const httplib::MultipartFormDataItems form = {{"file", csv, "walk2.csv", "text/csv"},
                                                {"start", "2024-03-10T15:00:00Z", "", ""},
                                                {"device", "phone", "", ""}};
  auto multipart = c->Post("/v1/recordings", bearer(alice), form);
  REQUIRE(multipart);
  CHECK(multipart->status == 202);
  status = wait_for_job(*c, alice, json_of(multipart)["job_id"].get<int64_t>());
  INFO(status.dump());
  CHECK(status["state"] == "done");
  CHECK(status["recording_id"] != json_of(c->Get(job_path, bearer(alice)))["recording_id"]);
  CHECK(server.terminate() == 0);
}

TEST_CASE("/v1/export streams the user's whole log as NDJSON that /v1/logs/import reads back", "[integration][server]") {
  ServerProcess server;
  auto c = server.client();
  const std::string alice = server.first_token();
  const std::string bob = add_user(server.db(), "bob");
  const std::string cleo = add_user(server.db(), "cleo");
  import_day(*c, alice);
  REQUIRE(c->Post("/v1/logs/import", bearer(bob), R"({"t": 1710072000, "labels": ["swimming"]})" "\n",
                  "application/x-ndjson")->status == 200);

  const auto r = c->Get("/v1/export", bearer(alice));
  REQUIRE(r);
  REQUIRE(r->status == 200);
  CHECK(r->get_header_value("Content-Type") == "application/x-ndjson");
  CHECK_THAT(r->get_header_value("Content-Disposition"), Catch::StartsWith("attachment; filename="));
  CHECK(r->get_header_value("Transfer-Encoding") == "chunked");
  std::vector<json> lines;
  std::istringstream in(r->body);
  for (std::string line; std::getline(in, line);) lines.push_back(json::parse(line));
  REQUIRE(lines.size() == 1 + 240);
  CHECK(lines[0]["type"] == "imu2clip-export");
  CHECK(lines[0]["version"] == 1);
  CHECK(lines[0]["user"]["name"] == "me");
  CHECK(lines[1]["type"] == "log");
  CHECK(lines[1]["t"] == "2024-03-10T08:00:00+00:00");
  CHECK(lines[1]["labels"] == json::array({"walking"}));
  CHECK(lines[1]["duration_s"] == 60);
  CHECK(lines[1]["modality"] == "context");
  for (const auto& line : lines) CHECK(line.value("labels", json::array()) != json::array({"swimming"}));

  const json back = json_of(c->Post("/v1/logs/import", bearer(cleo), r->body, "application/x-ndjson"));
  CHECK(back["imported"] == 240);
  CHECK(back["skipped_records"] == 1);
  const std::string range = "/v1/logs?from=2024-03-10T00:00:00Z&to=2024-03-11T00:00:00Z";
  const json mine = json_of(c->Get(range, bearer(alice)));
  const json theirs = json_of(c->Get(range, bearer(cleo)));
  REQUIRE(theirs["entries"].size() == mine["entries"].size());
  for (size_t i = 0; i < mine["entries"].size(); ++i) {
    CHECK(theirs["entries"][i]["t_utc_ms"] == mine["entries"][i]["t_utc_ms"]);
    CHECK(theirs["entries"][i]["duration_s"] == mine["entries"][i]["duration_s"]);
    CHECK(theirs["entries"][i]["modality"] == mine["entries"][i]["modality"]);
    CHECK(theirs["entries"][i]["text"] == mine["entries"][i]["text"]);
  }

  CHECK(error_of(c->Get("/v1/export"), 401)["code"].is_string());
  CHECK(json_of(c->Get("/v1/me", bearer(alice)))["user"] == "me");  // the connection went back to the pool
}

TEST_CASE("every route refuses bad input with a JSON error naming the problem", "[integration][server]") {
  ServerProcess server;
  auto c = server.client();
  const auto auth = bearer(server.first_token());

  // Unknown routes and methods.
  CHECK(error_of(c->Get("/v1/nope", auth), 404)["code"] == "not_found");
  CHECK(error_of(c->Get("/nope"), 404)["code"] == "not_found");
  auto wrong_method = c->Get("/v1/ask", auth);
  CHECK(error_of(wrong_method, 405)["code"] == "method_not_allowed");
  CHECK(wrong_method->get_header_value("Allow") == "POST");
  error_of(c->Post("/v1/me", auth, "{}", "application/json"), 405);

  // Bad JSON, wrong types, missing fields.
  CHECK(error_of(c->Post("/v1/ask", auth, "{\"question\": ", "application/json"), 400)["message"]
            .get<std::string>()
            .find("not valid JSON") != std::string::npos);
  CHECK(error_of(c->Post("/v1/ask", auth, "[1]", "application/json"), 400)["code"] == "invalid_request");
  CHECK(error_of(c->Post("/v1/ask", auth, "{}", "application/json"), 400)["field"] == "question");
  CHECK(error_of(c->Post("/v1/ask", auth, R"({"question": 5})", "application/json"), 400)["field"] == "question");
  CHECK(error_of(c->Post("/v1/ask", auth, R"({"question": "x", "tz": "Mars/Base"})", "application/json"), 400)["field"] ==
        "tz");
  CHECK(error_of(c->Post("/v1/ask", auth, R"({"question": "x", "as_of": "soon"})", "application/json"), 400)["field"] ==
        "as_of");
  CHECK(error_of(c->Post("/v1/ask", auth, R"({"question": "x", "stream": "yes"})", "application/json"), 400)["field"] ==
        "stream");

  const std::string imu_ok_times = R"("t_utc_ms": [1710057600000, 1710057600020])";
  CHECK(error_of(c->Post("/v1/imu", auth, "{" + imu_ok_times + "}", "application/json"), 400)["field"] == "samples");
  CHECK(error_of(c->Post("/v1/imu", auth, "{" + imu_ok_times + R"(, "samples": [[1,2,3,4,5,6],[1,2,NaN,4,5,6]]})",
                         "application/json"),
                 400)["message"]
            .get<std::string>()
            .find("JSON") != std::string::npos);
  CHECK(error_of(c->Post("/v1/imu", auth, "{" + imu_ok_times + R"(, "samples": [[1,2,3,4,5,6],[1,2,"NaN",4,5,6]]})",
                         "application/json"),
                 400)["field"] == "samples[1][2]");
  CHECK(error_of(c->Post("/v1/imu", auth, R"({"samples": [[1,2,3,4,5,6]]})", "application/json"), 400)["field"] ==
        "t_utc_ms");
  CHECK(error_of(c->Post("/v1/imu", auth, "t_ms,ax,ay,az,gx,gy,gz\n0,1,2,3,4,5,6\n", "text/csv"), 400)["field"] ==
        "start");
  CHECK(error_of(c->Post("/v1/imu?start=2024-03-10T08:00:00Z", auth, "t_ms,ax\n0,1\n", "text/csv"), 400)["field"] ==
        "ay");
  CHECK(error_of(c->Post("/v1/imu", auth, "hello", "text/plain"), 400)["field"] == "Content-Type");

  const json import_error =
      error_of(c->Post("/v1/logs/import", auth, "{\"t\": \"yesterday\", \"labels\": [\"x\"]}\n", "application/x-ndjson"), 400);
  CHECK(import_error["field"] == "t");
  CHECK(import_error["message"].get<std::string>().find(":1:") != std::string::npos);  // names the line
  CHECK(error_of(c->Get("/v1/logs?from=noon", auth), 400)["field"] == "from");
  CHECK(error_of(c->Get("/v1/logs?from=2024-03-11T00:00:00Z&to=2024-03-10T00:00:00Z", auth), 400)["field"] == "from");
  CHECK(error_of(c->Get("/v1/timeline?date=2024-13-45", auth), 400)["field"] == "date");
  CHECK(error_of(c->Get("/v1/timeline?tz=Nowhere/Land", auth), 400)["field"] == "tz");
  CHECK(error_of(c->Get("/v1/jobs/abc", auth), 400)["field"] == "id");
  CHECK(error_of(c->Post("/v1/recordings?format=mp4", auth, "t_ms,ax,ay,az,gx,gy,gz\n0,1,2,3,4,5,6\n", "text/csv"),
                 400)["field"] == "format");
  CHECK(error_of(c->Post("/v1/recordings", auth, "", "text/csv"), 400)["field"] == "file");
  CHECK(error_of(c->Post("/v1/chat/completions", auth, R"({"model": "gpt-4", "messages": [{"role": "user", "content": "hi"}]})",
                         "application/json"),
                 404)["code"] == "model_not_found");
  CHECK(error_of(c->Post("/v1/chat/completions", auth, R"({"model": "imu2clip"})", "application/json"), 400)["field"] ==
        "messages");

  // Too large: 413 before the handler parses anything; the server keeps serving.
  const std::string huge(3 << 20, ' ');
  CHECK(error_of(c->Post("/v1/ask", auth, huge, "application/json"), 413)["code"] == "payload_too_large");
  CHECK(json_of(c->Get("/v1/me", auth))["user"] == "me");

  // The metrics saw all of it.
  auto metrics = c->Get("/metrics");
  REQUIRE(metrics);
  CHECK(metrics->body.find(R"(imu2clip_http_requests_total{route="/v1/ask",method="POST",status="413"} 1)") !=
        std::string::npos);
  // (A request is counted once its response is written, so only earlier ones are certain here.)
  CHECK(metrics->body.find("imu2clip_http_request_duration_seconds_bucket{route=\"/v1/imu\",le=\"+Inf\"} 7") !=
        std::string::npos);
  CHECK(server.terminate() == 0);
}

// 40 s at 50 Hz of a wrist turning back and forth (up to 2 rad/s) in the given units: accel
// divided by `accel_div` (9.80665 for g), gyro multiplied by `gyro_mul` (180/pi for deg/s).
json turning_wrist(const std::string& device, double accel_div, double gyro_mul) {
  json samples = json::array();
  for (int i = 0; i < 40 * 50; ++i) {
    const double t = i / 50.0, angle = 0.8 * std::sin(2.5 * t), rate = 2.0 * std::cos(2.5 * t);
    samples.push_back({0.3 * std::sin(7 * t) / accel_div, 9.80665 * std::sin(angle) / accel_div,
                       9.80665 * std::cos(angle) / accel_div, rate * gyro_mul, 0.05 * gyro_mul, -0.02 * gyro_mul});
  }
  return {{"device", device}, {"start", "2024-03-10T10:00:00Z"}, {"rate_hz", 50}, {"samples", samples}};
}

TEST_CASE("/v1/imu refuses data clearly in g or deg/s unless its units are declared, then converts it",
          "[integration][server]") {
  constexpr double kG = 9.80665, kDeg = 180.0 / 3.14159265358979323846;
  ServerProcess server;
  auto c = server.client();
  const auto auth = bearer(server.first_token());

  json in_g = turning_wrist("g-watch", kG, 1.0);
  json err = error_of(c->Post("/v1/imu", auth, in_g.dump(), "application/json"), 400);
  CHECK(err["field"] == "units.accel");
  CHECK_THAT(err["message"].get<std::string>(), Catch::Contains("look like g") && Catch::Contains("\"units\""));

  json in_deg = turning_wrist("deg-watch", 1.0, kDeg);
  err = error_of(c->Post("/v1/imu", auth, in_deg.dump(), "application/json"), 400);
  CHECK(err["field"] == "units.gyro");
  CHECK_THAT(err["message"].get<std::string>(), Catch::Contains("deg/s"));

  json both = turning_wrist("converted", kG, kDeg);
  both["units"] = {{"accel", "g"}};  // the gyroscope is still checked
  CHECK(error_of(c->Post("/v1/imu", auth, both.dump(), "application/json"), 400)["field"] == "units.gyro");
  both["units"] = {{"accel", "g"}, {"gyro", "furlongs"}};
  CHECK(error_of(c->Post("/v1/imu", auth, both.dump(), "application/json"), 400)["field"] == "units.gyro");
  both["units"] = {{"accel", "g"}, {"gyro", "deg/s"}};
  const json converted = json_of(c->Post("/v1/imu", auth, both.dump(), "application/json"));
  CHECK(converted["accepted"] == 2000);

  // CSV bodies declare units with query parameters.
  std::ostringstream csv;
  csv.precision(9);
  csv << "t_ms,ax,ay,az,gx,gy,gz\n";
  for (size_t i = 0; i < in_g["samples"].size(); ++i) {
    const auto& r = in_g["samples"][i];
    csv << i * 20 << "," << r[0].get<double>() << "," << r[1].get<double>() << "," << r[2].get<double>() << ","
        << r[3].get<double>() << "," << r[4].get<double>() << "," << r[5].get<double>() << "\n";
  }
  err = error_of(c->Post("/v1/imu?start=2024-03-10T11:00:00Z&device=csv-watch", auth, csv.str(), "text/csv"), 400);
  CHECK(err["field"] == "accel_units");
  CHECK_THAT(err["message"].get<std::string>(), Catch::Contains("accel_units=g"));
  CHECK(error_of(c->Post("/v1/imu?start=2024-03-10T11:00:00Z&device=csv-watch&accel_units=mg", auth, csv.str(),
                         "text/csv"),
                 400)["field"] == "accel_units");
  auto csv_ok =
      c->Post("/v1/imu?start=2024-03-10T11:00:00Z&device=csv-watch&accel_units=g", auth, csv.str(), "text/csv");
  CHECK(csv_ok->status == 202);

  // The converted batch is tagged exactly like the same motion sent in m/s^2 and rad/s.
  const json canonical = json_of(c->Post("/v1/imu", auth, turning_wrist("canonical", 1.0, 1.0).dump(), "application/json"));
  CHECK(canonical["accepted"] == 2000);
  CHECK(server.terminate() == 0);
  LogStore store(server.db());
  const auto a = store.recordings().windows(converted["recording_id"].get<int64_t>());
  const auto b = store.recordings().windows(canonical["recording_id"].get<int64_t>());
  REQUIRE(a.size() == b.size());
  REQUIRE(a.size() >= 7);
  for (size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].valid == b[i].valid);
    REQUIRE(a[i].labels.size() == b[i].labels.size());
    REQUIRE_FALSE(a[i].labels.empty());
    CHECK(a[i].labels[0].label == b[i].labels[0].label);
    CHECK(a[i].labels[0].score == Approx(b[i].labels[0].score).margin(1e-4));
  }
}

TEST_CASE("a per-user rate limit answers 429 with Retry-After", "[integration][server]") {
  ServerProcess server({"--rate-limit", "0.5", "--rate-burst", "3"});
  auto c = server.client();
  const auto auth = bearer(server.first_token());
  for (int i = 0; i < 3; ++i) REQUIRE(c->Get("/v1/me", auth)->status == 200);
  auto limited = c->Get("/v1/me", auth);
  CHECK(error_of(limited, 429)["code"] == "rate_limited");
  CHECK(limited->get_header_value("Retry-After") == "2");
  CHECK(server.terminate() == 0);
}

TEST_CASE("IMU posted to /v1/imu is tagged into log lines and kept over a SIGTERM restart", "[integration][server]") {
  ServerProcess server;
  auto c = server.client();
  const auto auth = bearer(server.first_token());
  const json first = json_of(c->Post("/v1/imu", auth, imu_batch("2024-03-10T08:00:00Z", 40).dump(), "application/json"));
  CHECK(first["accepted"] == 2000);
  CHECK(first["recording_id"].is_number());
  // The next 20 s arrive as CSV and continue the same stream.
  std::ostringstream csv;
  csv << "t_ms,ax,ay,az,gx,gy,gz\n";
  for (int i = 0; i < 50 * 20; ++i) csv << i * 20 << "," << std::sin(i / 50.0) << ",0.5,9.8,0,0,0\n";
  auto second = c->Post("/v1/imu?start=2024-03-10T08:00:40Z&device=watch", auth, csv.str(), "text/csv");
  CHECK(json_of(second)["recording_id"] == first["recording_id"]);
  CHECK(second->status == 202);

  json logs;
  for (int i = 0; i < 200; ++i) {
    logs = json_of(c->Get("/v1/logs?from=2024-03-10T00:00:00Z&to=2024-03-11T00:00:00Z", auth));
    if (!logs["entries"].empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE_FALSE(logs["entries"].empty());
  CHECK(logs["entries"][0]["modality"] == "imu");
  CHECK(logs["entries"][0]["line"].get<std::string>().find("Motion: ") != std::string::npos);
  auto metrics = c->Get("/metrics");
  CHECK(metrics->body.find("imu2clip_samples_ingested_total 3000") != std::string::npos);

  // More data, then SIGTERM right away: the flush tags it before the process exits.
  c->Post("/v1/imu", auth, imu_batch("2024-03-10T08:01:00Z", 60).dump(), "application/json");
  CHECK(server.terminate() == 0);
  LogStore store(server.db());
  CHECK(store.count("windows") >= 19);  // 2 minutes of 5 s windows, less the open end
  CHECK(store.count("log_entries") >= 1);
  CHECK(store.count("users") == 1);

  // A restart on the same database keeps the user and the data; no new first-user token.
  ServerProcess again({}, server.db());
  CHECK(again.first_token().empty());
  auto c2 = again.client();
  CHECK_FALSE(json_of(c2->Get("/v1/logs?from=2024-03-10T00:00:00Z&to=2024-03-11T00:00:00Z", auth))["entries"].empty());
  CHECK(again.terminate() == 0);
}

TEST_CASE("imported logs answer /v1/ask with the grounded answerer plain and streamed", "[integration][server]") {
  ServerProcess server;
  auto c = server.client();
  const auto auth = bearer(server.first_token());
  import_day(*c, server.first_token());

  const json answer = json_of(c->Post("/v1/ask", auth, ask_body("How long did I walk today?").dump(), "application/json"));
  INFO(answer.dump(2));
  CHECK_FALSE(answer["answer"].get<std::string>().empty());
  CHECK(answer["understood"] == true);
  REQUIRE_FALSE(answer["evidence"].empty());
  CHECK(answer["evidence"].dump().find("walking") != std::string::npos);
  CHECK(answer["llm"]["used"] == false);

  auto streamed = c->Post("/v1/ask", auth, ask_body("How long did I walk today?", true).dump(), "application/json");
  REQUIRE(streamed);
  CHECK(streamed->status == 200);
  CHECK(streamed->get_header_value("Content-Type") == "text/event-stream");
  const auto events = sse_payloads(streamed->body);
  REQUIRE(events.size() >= 3);
  CHECK(events.back() == "[DONE]");
  std::string deltas;
  for (size_t i = 0; i + 2 < events.size(); ++i) deltas += json::parse(events[i])["delta"].get<std::string>();
  const json done = json::parse(events[events.size() - 2]);
  CHECK(done["done"] == true);
  CHECK(done["answer"] == answer["answer"]);
  CHECK(deltas == answer["answer"]);
  CHECK(server.terminate() == 0);
}

TEST_CASE("/v1/chat/completions and /v1/models speak OpenAI's shapes", "[integration][server]") {
  ServerProcess server;
  auto c = server.client();
  const auto auth = bearer(server.first_token());
  import_day(*c, server.first_token());

  const json models = json_of(c->Get("/v1/models", auth));
  CHECK(models["data"][0]["id"] == "imu2clip");

  const json request = {{"model", "imu2clip"},
                        {"messages", {{{"role", "system"}, {"content", "Answer briefly."}},
                                      {{"role", "user"}, {"content", "How long did I sit on 2024-03-10?"}}}}};
  const json plain = json_of(c->Post("/v1/chat/completions", auth, request.dump(), "application/json"));
  CHECK(plain["object"] == "chat.completion");
  CHECK(plain["model"] == "imu2clip");
  const std::string content = plain["choices"][0]["message"]["content"];
  CHECK_FALSE(content.empty());
  CHECK(plain["choices"][0]["finish_reason"] == "stop");

  json streaming = request;
  streaming["stream"] = true;
  auto r = c->Post("/v1/chat/completions", auth, streaming.dump(), "application/json");
  REQUIRE(r);
  const auto events = sse_payloads(r->body);
  REQUIRE(events.size() >= 3);
  CHECK(events.back() == "[DONE]");
  const json first = json::parse(events.front());
  CHECK(first["object"] == "chat.completion.chunk");
  CHECK(first["choices"][0]["delta"]["role"] == "assistant");
  std::string text;
  for (size_t i = 0; i + 1 < events.size(); ++i) {
    const json chunk = json::parse(events[i]);
    if (chunk["choices"][0]["delta"].contains("content")) text += chunk["choices"][0]["delta"]["content"].get<std::string>();
  }
  CHECK(text == content);
  CHECK(json::parse(events[events.size() - 2])["choices"][0]["finish_reason"] == "stop");
  CHECK(server.terminate() == 0);
}

TEST_CASE("an unreachable LLM falls back to the built-in answer and says why", "[integration][server]") {
  // A port that was free a moment ago (bound, never listened on, closed): connections are refused.
  int closed_port = 0;
  {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    socklen_t len = sizeof addr;
    getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    closed_port = ntohs(addr.sin_port);
    close(fd);
  }
  ServerProcess server({"--llm-url", "http://127.0.0.1:" + std::to_string(closed_port), "--llm-model", "none"});
  auto c = server.client();
  const auto auth = bearer(server.first_token());
  import_day(*c, server.first_token());
  const json answer = json_of(c->Post("/v1/ask", auth, ask_body("How long did I walk today?").dump(), "application/json"));
  INFO(answer.dump(2));
  CHECK_FALSE(answer["answer"].get<std::string>().empty());
  CHECK(answer["llm"]["used"] == false);
  CHECK_FALSE(answer["llm"]["error"].get<std::string>().empty());
  auto metrics = c->Get("/metrics");
  CHECK(metrics->body.find("imu2clip_llm_errors_total 1") != std::string::npos);
  CHECK(server.terminate() == 0);
}

TEST_CASE("with an OpenAI-compatible endpoint the answer comes from the LLM grounded in the log", "[integration][server]") {
  FakeOpenAiServer llm;
  FakeReply reply;
  reply.text = "You walked for one hour this morning.";
  llm.set_default_reply(reply);
  ServerProcess server({"--llm-url", llm.base_url(), "--llm-model", "fake-model"});
  auto c = server.client();
  const auto auth = bearer(server.first_token());
  import_day(*c, server.first_token());

  const json answer = json_of(c->Post("/v1/ask", auth, ask_body("How long did I walk today?").dump(), "application/json"));
  INFO(answer.dump(2));
  CHECK(answer["llm"]["used"] == true);
  CHECK(answer["answer"] == reply.text);
  REQUIRE(llm.request_count() >= 1);
  // The prompt carried the user's log lines.
  CHECK(llm.last_request().body.find("walking") != std::string::npos);

  auto streamed = c->Post("/v1/ask", auth, ask_body("How long did I walk today?", true).dump(), "application/json");
  REQUIRE(streamed);
  const auto events = sse_payloads(streamed->body);
  REQUIRE(events.size() >= 3);
  std::string deltas;
  for (size_t i = 0; i + 2 < events.size(); ++i) deltas += json::parse(events[i])["delta"].get<std::string>();
  CHECK(deltas == reply.text);
  CHECK(json::parse(events[events.size() - 2])["llm"]["used"] == true);
  CHECK(server.terminate() == 0);
}

TEST_CASE("SIGTERM lets an answer in flight finish and exits 0", "[integration][server]") {
  FakeOpenAiServer llm;
  FakeReply slow;
  slow.text = "Still answering while the server stops.";
  slow.first_token_delay_ms = 1500;
  llm.set_default_reply(slow);
  ServerProcess server({"--llm-url", llm.base_url(), "--llm-model", "fake-model"});
  auto c = server.client();
  const auto auth = bearer(server.first_token());
  import_day(*c, server.first_token());

  int status = 0;
  std::string body;
  std::thread asker([&] {
    if (auto r = c->Post("/v1/ask", auth, ask_body("How long did I walk today?", true).dump(), "application/json")) {
      status = r->status;
      body = r->body;
    }
  });
  // Wait until the question has reached the LLM, i.e. the request is in flight.
  for (int i = 0; i < 200 && llm.request_count() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  REQUIRE(llm.request_count() == 1);
  const int code = server.terminate();
  asker.join();
  CHECK(code == 0);
  CHECK(status == 200);
  const auto events = sse_payloads(body);
  REQUIRE(events.size() >= 3);
  CHECK(events.back() == "[DONE]");
  CHECK(json::parse(events[events.size() - 2])["answer"] == slow.text);
}
