// LogEntryStore on its own, over a real migrated SQLite database.
#include <catch2/catch.hpp>

#include "common/error.h"
#include "storage/log_entry_store.h"
#include "storage/recording_store.h"
#include "storage/user_store.h"
#include "storage_test_util.h"

using namespace imu2clip;
using imu2clip::test::kHourMs;
using imu2clip::test::MigratedDatabase;
using imu2clip::test::utc_ms;

namespace {

LogEntry note(int64_t user_id, int64_t t_utc_ms, const std::string& text) {
  LogEntry e;
  e.user_id = user_id;
  e.t_utc_ms = t_utc_ms;
  e.modality = "note";
  e.text = text;
  return e;
}

}  // namespace

TEST_CASE("Log lines are queried per user over a half-open UTC range", "[storage][log]") {
  MigratedDatabase m;
  UserStore users(m.db);
  LogEntryStore log(m.db);
  int64_t ana = users.ensure("ana", "UTC");
  int64_t bob = users.ensure("bob", "UTC");
  int64_t day = utc_ms(2024, 3, 10);
  std::vector<LogEntry> entries;
  for (int h : {23, 0, 12, 24}) {  // out of order on purpose
    entries.push_back(note(ana, day + h * kHourMs, "h" + std::to_string(h)));
  }
  entries.push_back(entries[0]);
  entries.back().user_id = bob;
  CHECK(log.add(entries) == 5);

  auto lines = log.between(ana, day, day + 24 * kHourMs);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0].text == "h0");
  CHECK(lines[1].text == "h12");
  CHECK(lines[2].text == "h23");
  CHECK(lines[0].id > 0);
  CHECK(lines[0].modality == "note");
  CHECK_FALSE(lines[0].recording_id);

  CHECK(log.any_between(ana, day, day + 1));
  CHECK_FALSE(log.any_between(ana, day + 1, day + 12 * kHourMs));
  CHECK(log.any_between(bob, day + 23 * kHourMs, day + 24 * kHourMs));
  CHECK_FALSE(log.any_between(bob, day, day + 23 * kHourMs));
}

TEST_CASE("Bad or orphaned lines are refused and nothing of their batch is stored", "[storage][log]") {
  MigratedDatabase m;
  LogEntryStore log(m.db);
  int64_t ana = UserStore(m.db).ensure("ana", "UTC");
  std::vector<LogEntry> with_orphan = {note(ana, 0, "x"), note(777, 0, "x")};
  try {
    log.add(with_orphan);
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::NotFound);
    CHECK_THAT(e.what(), Catch::Contains("777"));
  }
  std::vector<LogEntry> empty_text = {note(ana, 0, "x"), note(ana, 1, "")};
  try {
    log.add(empty_text);
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::InvalidInput);
    CHECK(e.context().field == "entries[1].text");
  }
  LogEntry no_time = note(ana, 0, "x");
  no_time.t_utc_ms = std::nullopt;
  CHECK_THROWS_AS(log.add({no_time}), Error);
  LogEntry unknown_recording = note(ana, 0, "x");
  unknown_recording.recording_id = 42;
  CHECK_THROWS_AS(log.add({unknown_recording}), Error);
  CHECK(m.count("log_entries") == 0);
}

TEST_CASE("A line may point at a recording of its own user only", "[storage][log]") {
  MigratedDatabase m;
  LogEntryStore log(m.db);
  UserStore users(m.db);
  int64_t ana = users.ensure("ana", "UTC");
  int64_t bob = users.ensure("bob", "UTC");
  RecordingRow row;
  row.user_id = ana;
  row.source_key = "k";
  row.tz = "UTC";
  row.model_id = "m";
  int64_t rec = RecordingStore(m.db).create(row);

  LogEntry mine = note(ana, 1000, "walking");
  mine.recording_id = rec;
  CHECK(log.add({mine}) == 1);
  CHECK(log.for_recording(rec).size() == 1);

  LogEntry theirs = note(bob, 1000, "walking");
  theirs.recording_id = rec;
  try {
    log.add({theirs});
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.context().field == "entries[0].recording_id");
  }
}

TEST_CASE("The vocabulary and the change stamp follow what is in the log", "[storage][log]") {
  MigratedDatabase m;
  LogEntryStore log(m.db);
  UserStore users(m.db);
  int64_t ana = users.ensure("ana", "UTC");
  int64_t bob = users.ensure("bob", "UTC");
  CHECK(log.last_id() == 0);
  CHECK(log.distinct_texts(ana).empty());

  log.add({note(ana, 0, "walking"), note(ana, 1, "sitting"), note(ana, 2, "walking"), note(bob, 0, "cycling")});
  CHECK(log.distinct_texts(ana) == std::vector<std::string>{"sitting", "walking"});
  CHECK(log.distinct_texts(bob) == std::vector<std::string>{"cycling"});
  // texts only one modality logged: "eating" was also heard, so it is not only a sound
  LogEntry heard = note(ana, 3, "vacuum cleaner running"), chewing = note(ana, 4, "eating"),
           ate = note(ana, 4, "eating");
  heard.modality = chewing.modality = "audio";
  log.add({heard, chewing, ate});
  CHECK(log.texts_only_of_modality(ana, "audio") == std::vector<std::string>{"vacuum cleaner running"});
  CHECK(log.texts_only_of_modality(ana, "note") == std::vector<std::string>{"sitting", "walking"});
  CHECK(log.texts_only_of_modality(bob, "audio").empty());
  const int64_t stamp = log.last_id();
  CHECK(stamp > 0);
  log.add({note(bob, 5, "cycling")});
  CHECK(log.last_id() > stamp);
}

TEST_CASE("A recording's lines are replaced whole or from an offset on", "[storage][log]") {
  MigratedDatabase m;
  LogEntryStore log(m.db);
  int64_t ana = UserStore(m.db).ensure("ana", "UTC");
  RecordingRow row;
  row.user_id = ana;
  row.source_key = "k";
  row.tz = "UTC";
  row.model_id = "m";
  int64_t rec = RecordingStore(m.db).create(row);
  auto line = [&](int64_t offset_ms, const std::string& text) {
    LogEntry e;
    e.user_id = ana;
    e.recording_id = rec;
    e.offset_ms = offset_ms;
    e.text = text;
    return e;
  };

  log.replace_recording_lines(rec, {line(0, "a"), line(5000, "b"), line(10000, "c")});
  CHECK(log.for_recording(rec).size() == 3);
  log.replace_recording_lines(rec, {line(5000, "B")}, 5000);
  auto lines = log.for_recording(rec);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].text == "a");
  CHECK(lines[1].text == "B");
  log.replace_recording_lines(rec, {line(0, "only")});
  lines = log.for_recording(rec);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].text == "only");
}
