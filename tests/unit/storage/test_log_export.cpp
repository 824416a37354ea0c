// LogExporter: one user's whole log as NDJSON, read in pages, importable back by log import.
#include <catch2/catch.hpp>

#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/time/instant.h"
#include "storage/log_export.h"
#include "storage/log_import.h"
#include "storage/log_store.h"
#include "tests/support/utc_instants.h"

using namespace imu2clip;
using test::utc_ms;

namespace {

std::vector<nlohmann::json> export_lines(LogStore& store, int64_t user, ExportCounts* counts = nullptr,
                                         size_t page_size = 1000) {
  std::vector<nlohmann::json> lines;
  const ExportCounts c = LogExporter(store, page_size).run(user, [&](const std::string& line) {
    REQUIRE(!line.empty());
    REQUIRE(line.back() == '\n');
    REQUIRE(line.find('\n') == line.size() - 1);
    lines.push_back(nlohmann::json::parse(line));
    return true;
  });
  if (counts) *counts = c;
  return lines;
}

std::vector<nlohmann::json> of_type(const std::vector<nlohmann::json>& lines, const std::string& type) {
  std::vector<nlohmann::json> out;
  for (const auto& l : lines)
    if (l["type"] == type) out.push_back(l);
  return out;
}

// A user with a device, a tagged recording (windows, segments, lines) and imported lines.
int64_t seed_user(LogStore& store, const std::string& name) {
  const int64_t user = store.users().ensure(name, "Europe/Berlin");
  const int64_t device = store.users().ensure_device(user, "left wrist", "watch");
  RecordingRow row;
  row.user_id = user;
  row.device_id = device;
  row.source_key = name + "-walk";
  row.tz = "Europe/Berlin";
  row.model_id = "m1";
  row.start_utc_ms = utc_ms(2024, 5, 1, 8);
  const int64_t rec = store.recordings().create(row);
  WindowTag walking{0, 5, "imu", true, "", {{"walking", 0.8f}, {"standing", 0.1f}}};
  WindowTag gap{5, 10, "imu", false, "gap in the samples", {}};
  store.recordings().append_windows(rec, {walking, gap}, 10);
  LogEntry line;
  line.offset_ms = 0;
  line.duration_ms = 5000;
  line.text = "walking";
  store.recordings().complete(rec, {{0, 5, "walking", 0.8f, 1, "imu"}}, {line});
  std::vector<LogEntry> imported;
  for (int i = 0; i < 3; ++i) {
    LogEntry e;
    e.user_id = user;
    e.t_utc_ms = utc_ms(2024, 5, 1, 12, i) + 250;  // milliseconds survive the round trip
    e.duration_ms = 60000;
    e.modality = i == 2 ? "audio" : "context";
    e.text = i == 1 ? "at the \"office\"" : "lunch";
    imported.push_back(e);
  }
  store.log().add(imported);
  return user;
}

}  // namespace

TEST_CASE("An export starts with a versioned header and holds every record of the user", "[storage][export]") {
  LogStore store(":memory:");
  const int64_t ana = seed_user(store, "ana");
  seed_user(store, "ben");
  ExportCounts counts;
  const auto lines = export_lines(store, ana, &counts);

  REQUIRE(!lines.empty());
  CHECK(lines[0]["type"] == "imu2clip-export");
  CHECK(lines[0]["version"] == 1);
  CHECK(lines[0]["user"]["name"] == "ana");
  CHECK(lines[0]["user"]["tz"] == "Europe/Berlin");
  CHECK(lines[0].contains("exported_utc"));

  const auto devices = of_type(lines, "device");
  REQUIRE(devices.size() == 1);
  CHECK(devices[0]["name"] == "left wrist");
  const auto recordings = of_type(lines, "recording");
  REQUIRE(recordings.size() == 1);
  CHECK(recordings[0]["source_key"] == "ana-walk");
  CHECK(recordings[0]["start_utc"] == "2024-05-01T08:00:00+00:00");
  REQUIRE(recordings[0]["segments"].size() == 1);
  CHECK(recordings[0]["segments"][0]["label"] == "walking");
  const auto windows = of_type(lines, "window");
  REQUIRE(windows.size() == 2);
  CHECK(windows[0]["valid"] == true);
  REQUIRE(windows[0]["labels"].size() == 2);
  CHECK(windows[0]["labels"][0]["label"] == "walking");
  CHECK(windows[1]["valid"] == false);
  CHECK(windows[1]["invalid_reason"] == "gap in the samples");
  const auto logs = of_type(lines, "log");
  REQUIRE(logs.size() == 4);
  CHECK(logs[0]["t"] == "2024-05-01T08:00:00+00:00");
  CHECK(logs[0]["labels"] == nlohmann::json::array({"walking"}));
  CHECK(logs[0]["modality"] == "imu");
  CHECK(logs[0]["duration_s"] == 5.0);
  CHECK(counts.devices == 1);
  CHECK(counts.recordings == 1);
  CHECK(counts.windows == 2);
  CHECK(counts.log_lines == 4);
  // Nothing of ben's.
  for (const auto& l : recordings) CHECK(l["source_key"] != "ben-walk");
  CHECK(lines.size() == 1 + 1 + 1 + 2 + 4);
}

TEST_CASE("An export imports back into a new user's log as the same lines", "[storage][export]") {
  LogStore source(":memory:");
  const int64_t ana = seed_user(source, "ana");
  std::ostringstream file;
  LogExporter(source).run(ana, [&](const std::string& line) {
    file << line;
    return true;
  });

  LogStore target(":memory:");
  const int64_t cleo = target.users().ensure("cleo", "UTC");
  std::istringstream in(file.str());
  const ImportReport report = import_log_entries(target, in, cleo, "ana.ndjson");
  CHECK(report.errors.empty());
  CHECK(report.entries == 4);
  CHECK(report.skipped_records == 1 + 1 + 1 + 2);  // header, device, recording, windows

  const auto before = source.log().between(ana, 0, utc_ms(2030, 1, 1));
  const auto after = target.log().between(cleo, 0, utc_ms(2030, 1, 1));
  REQUIRE(after.size() == before.size());
  for (size_t i = 0; i < before.size(); ++i) {
    CHECK(after[i].t_utc_ms == before[i].t_utc_ms);
    CHECK(after[i].duration_ms == before[i].duration_ms);
    CHECK(after[i].modality == before[i].modality);
    CHECK(after[i].text == before[i].text);
  }

  std::istringstream again(file.str());
  CHECK(import_log_entries(target, again, cleo, "ana.ndjson").duplicates == 4);
}

TEST_CASE("An export reads the log in pages of the page size, not all at once", "[storage][export]") {
  LogStore store(":memory:");
  const int64_t ana = store.users().ensure("ana", "UTC");
  const int64_t n = 20000;
  std::vector<LogEntry> entries;
  entries.reserve(n);
  for (int64_t i = 0; i < n; ++i) {
    LogEntry e;
    e.user_id = ana;
    e.t_utc_ms = utc_ms(2024, 1, 1) + (i / 2) * 60000;  // two lines share each minute
    e.duration_ms = 60000;
    e.modality = "context";
    e.text = "line " + std::to_string(i);
    entries.push_back(e);
  }
  store.log().add(entries);

  int64_t written = 0;
  int64_t last_t = INT64_MIN;
  bool in_order = true;
  const ExportCounts counts = LogExporter(store, 500).run(ana, [&](const std::string& line) {
    const auto j = nlohmann::json::parse(line);
    if (j["type"] == "log") {
      ++written;
      const int64_t t = parse_iso8601_utc_ms(j["t"].get<std::string>());
      in_order = in_order && t >= last_t;
      last_t = t;
    }
    return true;
  });
  CHECK(written == n);
  CHECK(counts.log_lines == n);
  CHECK(in_order);
  CHECK(counts.largest_page == 500);
}

TEST_CASE("An export stops when the sink refuses a line", "[storage][export]") {
  LogStore store(":memory:");
  const int64_t ana = seed_user(store, "ana");
  int64_t calls = 0;
  const ExportCounts counts = LogExporter(store, 1).run(ana, [&](const std::string&) { return ++calls < 3; });
  CHECK(calls == 3);
  CHECK(counts.log_lines == 0);
}

TEST_CASE("Exporting an unknown user fails with NotFound", "[storage][export]") {
  LogStore store(":memory:");
  try {
    LogExporter(store).run(42, [](const std::string&) { return true; });
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::NotFound);
  }
}

TEST_CASE("Log import skips lines of other record types and still checks log lines", "[storage][export]") {
  LogStore store(":memory:");
  const int64_t ana = store.users().ensure("ana", "UTC");
  std::istringstream in(
      "{\"type\":\"imu2clip-export\",\"version\":1}\n"
      "{\"type\":\"log\",\"t\":\"2024-05-01T12:00:00Z\",\"labels\":[\"lunch\"]}\n"
      "{\"t\":1714564800,\"labels\":[\"nap\"]}\n");
  const ImportReport report = import_log_entries(store, in, ana, "mixed.ndjson");
  CHECK(report.entries == 2);
  CHECK(report.skipped_records == 1);
  CHECK(report.lines == 3);
  std::istringstream bad("{\"type\":\"log\",\"t\":1714564800,\"labels\":[\"nap\"],\"extra\":1}\n");
  CHECK_THROWS_AS(import_log_entries(store, bad, ana, "bad.ndjson"), Error);
  std::istringstream bad_type("{\"type\":7,\"t\":1714564800,\"labels\":[\"nap\"]}\n");
  CHECK_THROWS_AS(import_log_entries(store, bad_type, ana, "bad.ndjson"), Error);
}
