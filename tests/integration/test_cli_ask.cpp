// `imu2clip logs import` and `imu2clip ask` end to end through the real binary.
#include <catch2/catch.hpp>

#include <fstream>
#include <nlohmann/json.hpp>

#include "process.h"
#include "tests/support/test_paths.h"

using namespace imu2clip::test;

namespace {

// Tuesday 2024-05-14 in America/Los_Angeles (UTC-7): sitting at home 07:00-07:59, then a
// 30-minute walk from 08:00.
std::string write_log(const std::string& dir) {
  std::string path = dir + "/day.jsonl";
  std::ofstream out(path);
  int64_t seven_am = 1715695200;  // 2024-05-14T07:00:00-07:00
  for (int m = 0; m < 60; ++m) out << "{\"t\": " << seven_am + m * 60 << ", \"labels\": [\"sitting\", \"at home\"]}\n";
  for (int m = 0; m < 30; ++m) out << "{\"t\": \"2024-05-14T08:" << (m < 10 ? "0" : "") << m << ":00-07:00\", \"labels\": [\"walking\"]}\n";
  return path;
}

}  // namespace

TEST_CASE("logs import is idempotent and ask answers from the imported log", "[integration]") {
  std::string dir = make_temp_dir("cli_ask");
  std::string db = dir + "/log.db";
  std::string file = write_log(dir);

  auto first = run_process({imu2clip_binary(), "logs", "import", "--db", db, "--user", "ann", "--tz",
                            "America/Los_Angeles", file});
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  CHECK_THAT(first.out, Catch::Contains("imported 150 log entries from 90 lines"));
  auto again = run_process({imu2clip_binary(), "logs", "import", "--db", db, "--user", "ann", file});
  REQUIRE(again.exit_code == 0);
  CHECK_THAT(again.out, Catch::Contains("imported 0 log entries from 90 lines"));
  CHECK_THAT(again.out, Catch::Contains("150 already present"));

  auto ask = run_process({imu2clip_binary(), "ask", "--db", db, "--user", "ann", "--as-of", "2024-05-14T20:00:00",
                          "--json", "How long did I walk today?"});
  INFO(ask.err);
  REQUIRE(ask.exit_code == 0);
  auto j = nlohmann::json::parse(ask.out);
  CHECK_THAT(j["answer"].get<std::string>(), Catch::StartsWith("You spent 30 minutes walking"));
  CHECK(j["understood"] == true);
  CHECK(j["llm"]["used"] == false);
  CHECK_THAT(j["evidence"][0].get<std::string>(), Catch::Contains("[08:00] Context: walking"));

  auto text = run_process({imu2clip_binary(), "ask", "--db", db, "--user", "ann", "--as-of", "2024-05-14T20:00:00",
                           "When did I first start walking?"});
  REQUIRE(text.exit_code == 0);
  CHECK_THAT(text.out, Catch::StartsWith("08:00"));
  CHECK_THAT(text.out, Catch::Contains("Evidence:"));
}

TEST_CASE("logs import reports the bad line and imports nothing", "[integration]") {
  std::string dir = make_temp_dir("cli_import_bad");
  std::string path = dir + "/bad.jsonl";
  std::ofstream(path) << "{\"t\": 1715695200, \"labels\": [\"sitting\"]}\n{\"t\": 1715695260, \"labels\": \"sitting\"}\n";
  auto r = run_process({imu2clip_binary(), "logs", "import", "--db", dir + "/log.db", "--user", "ann", "--tz", "UTC", path});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("bad.jsonl:2"));
  CHECK_THAT(r.err, Catch::Contains("labels"));
  auto ask = run_process({imu2clip_binary(), "ask", "--db", dir + "/log.db", "--user", "nobody", "How long did I sit?"});
  CHECK(ask.exit_code == 1);
  CHECK_THAT(ask.err, Catch::Contains("logs import"));
}
