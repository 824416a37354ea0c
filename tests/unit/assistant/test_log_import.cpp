#include <catch2/catch.hpp>

#include <cstdint>
#include <sstream>

#include "common/error.h"
#include "common/time/instant.h"
#include "common/time/time_zone.h"
#include "storage/log_import.h"
#include "storage/log_store.h"

using namespace imu2clip;

namespace {

Error parse_error(const std::string& text) {
  std::istringstream in(text);
  try {
    parse_log_import(in, 1, "day.jsonl");
  } catch (const Error& e) {
    return e;
  }
  FAIL("expected an import error for: " << text);
  return Error(ErrorKind::Internal, "unreachable");
}

}  // namespace

TEST_CASE("import lines become one log entry per label with defaults", "[assistant][import]") {
  std::istringstream in(
      "{\"t\": 1440115200, \"labels\": [\"sitting\", \"at home\"]}\n"
      "\n"
      "{\"t\": \"2015-08-20T17:01:00-07:00\", \"duration_s\": 30, \"labels\": [\"walking\"], \"modality\": \"imu\"}\n");
  auto entries = parse_log_import(in, 7, "day.jsonl");
  REQUIRE(entries.size() == 3);
  CHECK(entries[0].user_id == 7);
  REQUIRE(entries[0].t_utc_ms);
  CHECK(*entries[0].t_utc_ms == 1440115200000LL);
  CHECK(entries[0].duration_ms == 60000);
  CHECK(entries[0].modality == "context");
  CHECK(entries[1].text == "at home");
  REQUIRE(entries[2].t_utc_ms);
  CHECK(*entries[2].t_utc_ms == parse_iso8601_utc_ms("2015-08-21T00:01:00Z"));
  CHECK(entries[2].duration_ms == 30000);
  CHECK(entries[2].modality == "imu");
}

TEST_CASE("import: a number too large for a double is a bad line naming its line", "[assistant][import]") {
  // Found by tests/fuzz/log_import_fuzz: nlohmann raises out_of_range for 1e400, which escaped
  // the import as an exception without file or line.
  const Error e = parse_error("{\"t\": 1, \"labels\": [\"a\"]}\n{\"t\": 1e400, \"labels\": [\"a\"]}\n");
  CHECK(e.kind() == ErrorKind::InvalidInput);
  CHECK(e.context().file == "day.jsonl");
  CHECK(e.context().line == 2);
}

TEST_CASE("import validation names the line and the field", "[assistant][import]") {
  auto e = parse_error("{\"t\": 1, \"labels\": [\"a\"]}\n{\"t\": 2, \"labels\": \"sitting\"}\n");
  CHECK(e.kind() == ErrorKind::InvalidInput);
  CHECK(e.context().file == "day.jsonl");
  CHECK(e.context().line == 2);
  CHECK(e.context().field == "labels");

  CHECK(parse_error("not json\n").context().line == 1);
  CHECK(parse_error("{\"labels\": [\"a\"]}").context().field == "t");
  CHECK(parse_error("{\"t\": \"2015-08-20 17:00\", \"labels\": [\"a\"]}").context().field == "t");  // no offset
  CHECK(parse_error("{\"t\": 1440115200000, \"labels\": [\"a\"]}").context().field == "t");          // ms, not s
  CHECK(parse_error("{\"t\": 1, \"duration_s\": -5, \"labels\": [\"a\"]}").context().field == "duration_s");
  CHECK(parse_error("{\"t\": 1, \"labels\": [\"a\", 3]}").context().field == "labels[1]");
  CHECK(parse_error("{\"t\": 1, \"labels\": [\" \"]}").context().field == "labels[0]");
  CHECK(parse_error("{\"t\": 1, \"labels\": [\"a\"], \"modality\": \"\"}").context().field == "modality");
  CHECK(parse_error("{\"t\": 1, \"label\": [\"a\"]}").context().field == "label");
  CHECK(parse_error("[1, 2]").context().line == 1);
}

TEST_CASE("importing the same lines twice adds nothing", "[assistant][import]") {
  LogStore store(":memory:");
  int64_t user = store.users().ensure("ann", "UTC");
  std::string text = "{\"t\": 100, \"labels\": [\"sitting\", \"at home\"]}\n{\"t\": 160, \"labels\": [\"sitting\"]}\n";
  std::istringstream first(text);
  auto r1 = import_log_entries(store, first, user, "a.jsonl");
  CHECK(r1.lines == 2);
  CHECK(r1.entries == 3);
  CHECK(r1.duplicates == 0);
  std::istringstream again(text + "{\"t\": 220, \"labels\": [\"walking\"]}\n");
  auto r2 = import_log_entries(store, again, user, "a.jsonl");
  CHECK(r2.lines == 3);
  CHECK(r2.entries == 1);
  CHECK(r2.duplicates == 3);
  CHECK(store.count("log_entries") == 4);

  // a bad line imports nothing at all
  std::istringstream bad("{\"t\": 300, \"labels\": [\"x\"]}\n{\"t\": true, \"labels\": [\"y\"]}\n");
  CHECK_THROWS_AS(import_log_entries(store, bad, user, "b.jsonl"), Error);
  CHECK(store.count("log_entries") == 4);
}

TEST_CASE("imported sounds are audio entries beside the motion of the same minute", "[assistant][import]") {
  LogStore store(":memory:");
  int64_t user = store.users().ensure("ann", "UTC");
  std::istringstream in(
      "{\"t\": 1440115200, \"labels\": [\"walking\"], \"modality\": \"imu\"}\n"
      "{\"t\": 1440115200, \"labels\": [\"vacuum cleaner running\"], \"modality\": \"audio\"}\n"
      "{\"t\": 1440115260, \"labels\": [\"quiet\"], \"modality\": \"audio\"}\n");
  auto report = import_log_entries(store, in, user, "day.jsonl");
  CHECK(report.entries == 3);
  auto entries = store.log().between(user, 0, INT64_MAX);
  REQUIRE(entries.size() == 3);
  CHECK(entries[1].modality == "audio");
  CHECK(entries[1].text == "vacuum cleaner running");
  CHECK(store.log().texts_only_of_modality(user, "audio") ==
        std::vector<std::string>{"quiet", "vacuum cleaner running"});
  // the same text in another modality is another entry, not a duplicate
  std::istringstream seen("{\"t\": 1440115260, \"labels\": [\"quiet\"], \"modality\": \"imu\"}\n");
  CHECK(import_log_entries(store, seen, user, "day.jsonl").duplicates == 0);
}
