#include <catch2/catch.hpp>

#include <cmath>

#include <nlohmann/json.hpp>

#include "services/server/http_error.h"
#include "services/server/request_parsing.h"

using namespace imu2clip;
using namespace imu2clip::server;
using nlohmann::json;

namespace {

// The field a 400 names, or "<no error>".
template <class F>
std::string rejected_field(F&& f) {
  try {
    f();
  } catch (const HttpError& e) {
    REQUIRE(e.status() == 400);
    return e.field();
  }
  return "<no error>";
}

json two_samples() { return json::array({{0.1, 0.2, 9.8, 0, 0, 0.01}, {0.2, 0.1, 9.7, 0, 0.02, 0}}); }

}  // namespace

TEST_CASE("imu JSON with explicit times parses into samples", "[server][parsing]") {
  const auto s = parse_imu_json({{"device", "watch"}, {"device_kind", "watch"}, {"t_utc_ms", {1000, 1020}},
                                 {"samples", two_samples()}},
                                "UTC");
  CHECK(s.device == "watch");
  CHECK(s.device_kind == "watch");
  CHECK(s.t_utc_ms == std::vector<int64_t>{1000, 1020});
  REQUIRE(s.values.size() == 2);
  CHECK(s.values[0][2] == Approx(9.8f));
  CHECK(s.values[1][4] == Approx(0.02f));
}

TEST_CASE("imu JSON with start and rate derives the sample times", "[server][parsing]") {
  const auto s = parse_imu_json({{"start", "2024-03-10T08:00:00Z"}, {"rate_hz", 50}, {"samples", two_samples()}}, "UTC");
  CHECK(s.device == "default");
  CHECK(s.t_utc_ms == std::vector<int64_t>{1710057600000, 1710057600020});
  // Local time without an offset is read in the user's zone.
  const auto local = parse_imu_json({{"start", "2024-03-10T09:00:00"}, {"rate_hz", 50}, {"samples", two_samples()}},
                                    "Europe/Berlin");
  CHECK(local.t_utc_ms[0] == 1710057600000);
  const auto epoch = parse_imu_json({{"start", 1710057600000}, {"rate_hz", 100}, {"samples", two_samples()}}, "UTC");
  CHECK(epoch.t_utc_ms[1] == 1710057600010);
}

TEST_CASE("bad imu JSON bodies are refused naming the field", "[server][parsing]") {
  const json times = {1000, 1020};
  CHECK(rejected_field([&] { parse_imu_json({{"t_utc_ms", times}}, "UTC"); }) == "samples");
  CHECK(rejected_field([&] { parse_imu_json({{"t_utc_ms", times}, {"samples", "x"}}, "UTC"); }) == "samples");
  CHECK(rejected_field([&] { parse_imu_json({{"t_utc_ms", json::array()}, {"samples", json::array()}}, "UTC"); }) ==
        "samples");
  CHECK(rejected_field([&] {
          parse_imu_json({{"t_utc_ms", times}, {"samples", {{1, 2, 3, 4, 5, 6}, {1, 2, 3}}}}, "UTC");
        }) == "samples[1]");
  CHECK(rejected_field([&] {
          parse_imu_json({{"t_utc_ms", times}, {"samples", {{1, 2, 3, 4, 5, 6}, {1, 2, "NaN", 4, 5, 6}}}}, "UTC");
        }) == "samples[1][2]");
  CHECK(rejected_field([&] {
          parse_imu_json({{"t_utc_ms", times}, {"samples", {{1, 2, 3, 4, 5, 6}, {1, 2, nullptr, 4, 5, 6}}}}, "UTC");
        }) == "samples[1][2]");
  CHECK(rejected_field([&] {
          parse_imu_json({{"t_utc_ms", times}, {"samples", {{1e300, 2, 3, 4, 5, 6}, {1, 2, 3, 4, 5, 6}}}}, "UTC");
        }) == "samples[0][0]");
  CHECK(rejected_field([&] { parse_imu_json({{"samples", two_samples()}}, "UTC"); }) == "t_utc_ms");
  CHECK(rejected_field([&] {
          parse_imu_json({{"t_utc_ms", times}, {"start", 5}, {"rate_hz", 50}, {"samples", two_samples()}}, "UTC");
        }) == "start");
  CHECK(rejected_field([&] { parse_imu_json({{"t_utc_ms", json::array({1000})}, {"samples", two_samples()}}, "UTC"); }) ==
        "t_utc_ms");
  CHECK(rejected_field([&] { parse_imu_json({{"t_utc_ms", {1000, 1000}}, {"samples", two_samples()}}, "UTC"); }) ==
        "t_utc_ms[1]");
  CHECK(rejected_field([&] { parse_imu_json({{"t_utc_ms", {1000, 1.5e3 + 0.5}}, {"samples", two_samples()}}, "UTC"); }) ==
        "t_utc_ms[1]");
  CHECK(rejected_field([&] { parse_imu_json({{"t_utc_ms", {-5, 10}}, {"samples", two_samples()}}, "UTC"); }) ==
        "t_utc_ms[0]");
  CHECK(rejected_field([&] { parse_imu_json({{"start", "yesterday"}, {"rate_hz", 50}, {"samples", two_samples()}}, "UTC"); }) ==
        "start");
  CHECK(rejected_field([&] { parse_imu_json({{"start", 1000}, {"samples", two_samples()}}, "UTC"); }) == "rate_hz");
  // Before 1970 as ISO text: the times came out negative (found by tests/fuzz/imu_body_fuzz).
  CHECK(rejected_field([&] {
          parse_imu_json({{"start", "1007-08-20T17:00:00"}, {"rate_hz", 50}, {"samples", two_samples()}}, "UTC");
        }) == "start");
  CHECK(rejected_field([&] { parse_imu_json({{"start", 1000}, {"rate_hz", 0}, {"samples", two_samples()}}, "UTC"); }) ==
        "rate_hz");
  CHECK(rejected_field([&] { parse_imu_json({{"start", 1000}, {"rate_hz", 5000}, {"samples", two_samples()}}, "UTC"); }) ==
        "rate_hz");
  CHECK(rejected_field([&] { parse_imu_json({{"device", 7}, {"start", 1000}, {"rate_hz", 5}, {"samples", two_samples()}}, "UTC"); }) ==
        "device");
}

TEST_CASE("request bodies must be JSON objects", "[server][parsing]") {
  CHECK(parse_json_object(R"({"a": 1})")["a"] == 1);
  CHECK(rejected_field([] { parse_json_object("{\"a\": "); }) == "");
  CHECK(rejected_field([] { parse_json_object("[1, 2]"); }) == "");
  CHECK(rejected_field([] { parse_json_object("{\"a\": NaN}"); }) == "");
  CHECK(rejected_field([] { parse_json_object(""); }) == "");
  // Valid syntax but beyond a double: nlohmann raises out_of_range, not parse_error, which
  // reached the client as a 500 (found by tests/fuzz/imu_body_fuzz).
  CHECK(rejected_field([] { parse_json_object("{\"samples\": [[1e400, 0, 0, 0, 0, 0]]}"); }) == "");
}

TEST_CASE("imu CSV bodies parse with the canonical header and aliases", "[server][parsing]") {
  const auto s = parse_imu_csv("t_ms,ax,ay,az,gx,gy,gz\n0,1,2,3,4,5,6\n20,1,2,3,4,5,6\n", 5000, "phone", "phone");
  CHECK(s.t_utc_ms == std::vector<int64_t>{5000, 5020});
  CHECK(s.values[1][5] == Approx(6.0f));
  const auto aliased = parse_imu_csv("gyro_x,gyro_y,gyro_z,timestamp_ms,acc_x,acc_y,acc_z,extra\r\n"
                                     "4,5,6,0,1,2,3,x\r\n",
                                     0, "d", "k");
  CHECK(aliased.values[0][0] == Approx(1.0f));
  CHECK(aliased.values[0][3] == Approx(4.0f));
}

TEST_CASE("bad imu CSV bodies are refused naming the column", "[server][parsing]") {
  CHECK(rejected_field([] { parse_imu_csv("", 0, "d", "k"); }) == "body");
  CHECK(rejected_field([] { parse_imu_csv("t_ms,ax,ay,az,gx,gy,gz\n", 0, "d", "k"); }) == "body");
  CHECK(rejected_field([] { parse_imu_csv("t_ms,ax,ay,az,gx,gy\n0,1,2,3,4,5\n", 0, "d", "k"); }) == "gz");
  CHECK(rejected_field([] { parse_imu_csv("ax,ay,az,gx,gy,gz\n1,2,3,4,5,6\n", 0, "d", "k"); }) == "t_ms");
  CHECK(rejected_field([] { parse_imu_csv("t_ms,ax,ay,az,gx,gy,gz\n0,1,2,nan,4,5,6\n", 0, "d", "k"); }) == "az");
  CHECK(rejected_field([] { parse_imu_csv("t_ms,ax,ay,az,gx,gy,gz\n0,1,2,x,4,5,6\n", 0, "d", "k"); }) == "az");
  CHECK(rejected_field([] { parse_imu_csv("t_ms,ax,ay,az,gx,gy,gz\n10,1,2,3,4,5,6\n10,1,2,3,4,5,6\n", 0, "d", "k"); }) ==
        "t_ms");
  CHECK(rejected_field([] { parse_imu_csv("t_ms,ax,ay,az,gx,gy,gz\n0,1,2\n", 0, "d", "k"); }) == "");
}

TEST_CASE("query values such as instants and booleans and ids parse strictly", "[server][parsing]") {
  CHECK(parse_instant_text("2024-03-10T08:00:00Z", "from", "UTC") == 1710057600000);
  CHECK(parse_instant_text("2024-03-10T09:00:00", "from", "Europe/Berlin") == 1710057600000);
  CHECK(parse_instant_text("1710057600000", "from", "UTC") == 1710057600000);
  CHECK(rejected_field([] { parse_instant_text("", "to", "UTC"); }) == "to");
  CHECK(rejected_field([] { parse_instant_text("soon", "to", "UTC"); }) == "to");
  CHECK(rejected_field([] { parse_instant_text("99999999999999999999", "to", "UTC"); }) == "to");
  CHECK(parse_instant(json(1710057600000), "as_of", "UTC") == 1710057600000);
  CHECK(rejected_field([] { parse_instant(json(true), "as_of", "UTC"); }) == "as_of");
  CHECK(rejected_field([] { parse_instant(json(1.5), "as_of", "UTC"); }) == "as_of");
  CHECK(parse_bool_text("true", "stream"));
  CHECK_FALSE(parse_bool_text("0", "stream"));
  CHECK(rejected_field([] { parse_bool_text("yes", "stream"); }) == "stream");
  CHECK(parse_id_text("42", "id") == 42);
  CHECK(rejected_field([] { parse_id_text("0", "id"); }) == "id");
  CHECK(rejected_field([] { parse_id_text("4x", "id"); }) == "id");
  CHECK(rejected_field([] { parse_id_text("-3", "id"); }) == "id");
  CHECK(rejected_field([] { optional_string(json{{"q", ""}}, "q"); }) == "q");
  CHECK(rejected_field([] { optional_string(json{{"q", 3}}, "q"); }) == "q");
  CHECK_FALSE(optional_string(json{{"q", nullptr}}, "q"));
  CHECK(rejected_field([] { optional_bool(json{{"stream", "true"}}, "stream"); }) == "stream");
}

TEST_CASE("imu units: declared ones are converted, undeclared g / deg/s is a 400 naming the field", "[server][parsing]") {
  // 200 samples at 50 Hz of a wrist turning at up to 2 rad/s, in g and deg/s.
  json samples = json::array();
  for (int i = 0; i < 200; ++i) {
    const double t = i / 50.0;
    samples.push_back({0.0, std::sin(0.8 * std::sin(2.5 * t)), std::cos(0.8 * std::sin(2.5 * t)),
                       2.0 * std::cos(2.5 * t) * 180.0 / M_PI, 0.0, 0.0});
  }
  json body = {{"start", 1710057600000}, {"rate_hz", 50}, {"samples", samples}};
  CHECK(rejected_field([&] { parse_imu_json(body, "UTC"); }) == "units.accel");
  body["units"] = {{"accel", "g"}};
  CHECK(rejected_field([&] { parse_imu_json(body, "UTC"); }) == "units.gyro");
  body["units"] = {{"accel", "g"}, {"gyro", "deg/s"}};
  const auto s = parse_imu_json(body, "UTC");
  CHECK(s.values[0][2] == Approx(9.80665).margin(1e-4));
  CHECK(s.values[0][3] == Approx(2.0).margin(1e-5));
  body["units"] = {{"accel", "g"}, {"gyro", "deg/s"}, {"mag", "uT"}};
  CHECK(rejected_field([&] { parse_imu_json(body, "UTC"); }) == "units.mag");
  body["units"] = {{"accel", 9.8}};
  CHECK(rejected_field([&] { parse_imu_json(body, "UTC"); }) == "units.accel");
  body["units"] = "g";
  CHECK(rejected_field([&] { parse_imu_json(body, "UTC"); }) == "units");
  // Two samples cannot be judged; they pass as they are.
  CHECK(parse_imu_json({{"t_utc_ms", {1000, 1020}}, {"samples", {{0, 0, 1, 90, 0, 0}, {0, 0, 1, 90, 0, 0}}}}, "UTC")
            .values[0][3] == 90.0f);

  std::string csv = "t_ms,ax,ay,az,gx,gy,gz\n";
  for (int i = 0; i < 200; ++i) csv += std::to_string(i * 20) + ",0,0,1,0.1,0,0\n";
  CHECK(rejected_field([&] { parse_imu_csv(csv, 0, "d", "k"); }) == "accel_units");
  const auto c = parse_imu_csv(csv, 0, "d", "k", parse_units_params(std::string("g"), std::nullopt));
  CHECK(c.values[5][2] == Approx(9.80665).margin(1e-4));
  CHECK(rejected_field([&] { parse_units_params(std::nullopt, std::string("rpm")); }) == "gyro_units");
}
