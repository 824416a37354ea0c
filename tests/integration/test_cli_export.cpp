// `imu2clip export` end to end through the real binary: what it writes, and that
// `imu2clip logs import` reads it back into another user's log.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <vector>

#include <nlohmann/json.hpp>

#include "process.h"
#include "storage/log_store.h"
#include "tests/support/test_paths.h"

using namespace imu2clip;
using namespace imu2clip::test;

namespace {

std::vector<nlohmann::json> ndjson(const std::string& text) {
  std::vector<nlohmann::json> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) out.push_back(nlohmann::json::parse(line));
  return out;
}

}  // namespace

TEST_CASE("export writes a user's log as NDJSON that logs import reads back", "[integration][export]") {
  const std::string dir = make_temp_dir("cli_export");
  const std::string db = dir + "/log.db";
  {
    std::ofstream day(dir + "/day.jsonl");
    for (int m = 0; m < 30; ++m)
      day << "{\"t\": " << 1715695200 + m * 60 << ", \"labels\": [\"sitting\", \"at home\"], \"duration_s\": 60}\n";
    std::ofstream other(dir + "/other.jsonl");
    other << "{\"t\": 1715695200, \"labels\": [\"swimming\"]}\n";
  }
  REQUIRE(
      run_process({imu2clip_binary(), "logs", "import", "--db", db, "--user", "ann", "--tz", "UTC", dir + "/day.jsonl"})
          .exit_code == 0);
  REQUIRE(run_process(
              {imu2clip_binary(), "logs", "import", "--db", db, "--user", "bob", "--tz", "UTC", dir + "/other.jsonl"})
              .exit_code == 0);

  const auto to_stdout = run_process({imu2clip_binary(), "export", "--db", db, "--user", "ann"});
  INFO(to_stdout.err);
  REQUIRE(to_stdout.exit_code == 0);
  const auto lines = ndjson(to_stdout.out);
  REQUIRE(lines.size() == 1 + 60);
  CHECK(lines[0]["type"] == "imu2clip-export");
  CHECK(lines[0]["version"] == 1);
  CHECK(lines[0]["user"]["name"] == "ann");
  for (size_t i = 1; i < lines.size(); ++i) {
    CHECK(lines[i]["type"] == "log");
    CHECK(lines[i]["labels"][0] != "swimming");
  }

  const std::string file = dir + "/ann.ndjson";
  const auto to_file = run_process({imu2clip_binary(), "export", "--db", db, "--user", "ann", "--out", file});
  INFO(to_file.err);
  REQUIRE(to_file.exit_code == 0);
  CHECK_THAT(to_file.out, Catch::Contains("exported 60 log lines"));
  const auto written = ndjson(read_file(file));
  REQUIRE(written.size() == lines.size());
  for (size_t i = 1; i < lines.size(); ++i) CHECK(written[i] == lines[i]);  // the header's time differs

  const auto back =
      run_process({imu2clip_binary(), "logs", "import", "--db", db, "--user", "cleo", "--tz", "UTC", file});
  INFO(back.err);
  REQUIRE(back.exit_code == 0);
  CHECK_THAT(back.out, Catch::Contains("imported 60 log entries from 61 lines"));
  CHECK_THAT(back.out, Catch::Contains("1 records of other types skipped"));

  LogStore store(db);
  const auto ann = store.log().between(store.users().find("ann")->id, 0, INT64_MAX);
  const auto cleo = store.log().between(store.users().find("cleo")->id, 0, INT64_MAX);
  REQUIRE(cleo.size() == ann.size());
  for (size_t i = 0; i < ann.size(); ++i) {
    CHECK(cleo[i].t_utc_ms == ann[i].t_utc_ms);
    CHECK(cleo[i].duration_ms == ann[i].duration_ms);
    CHECK(cleo[i].modality == ann[i].modality);
    CHECK(cleo[i].text == ann[i].text);
  }
}

TEST_CASE("export of an unknown user or a missing database fails and names it", "[integration][export]") {
  const std::string dir = make_temp_dir("cli_export_bad");
  const auto missing_db = run_process({imu2clip_binary(), "export", "--db", dir + "/nope.db", "--user", "ann"});
  CHECK(missing_db.exit_code != 0);
  CHECK(missing_db.out.empty());
  {
    std::ofstream one(dir + "/one.jsonl");
    one << "{\"t\": 1715695200, \"labels\": [\"sitting\"]}\n";
  }
  REQUIRE(run_process({imu2clip_binary(), "logs", "import", "--db", dir + "/log.db", "--user", "ann", "--tz", "UTC",
                       dir + "/one.jsonl"})
              .exit_code == 0);
  const auto unknown = run_process({imu2clip_binary(), "export", "--db", dir + "/log.db", "--user", "zed"});
  CHECK(unknown.exit_code != 0);
  CHECK_THAT(unknown.err, Catch::Contains("zed"));
}
