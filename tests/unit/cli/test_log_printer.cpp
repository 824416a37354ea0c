// `imu2clip log`'s printout: one header per recording, and the lines of recordings that overlap
// in time (motion and audio of one afternoon) merged minute by minute.
#include <catch2/catch.hpp>

#include <cstdio>
#include <string>

#include "common/error.h"
#include "services/cli/log_printer.h"
#include "storage/log_store.h"
#include "tests/support/utc_instants.h"

using namespace imu2clip;
using imu2clip::test::utc_ms;

namespace {

int64_t add_recording(LogStore& store, int64_t user, const std::string& key, std::optional<int64_t> start,
                      double duration_s, const std::string& modality, const std::vector<LogEntry>& lines) {
  RecordingRow row;
  row.user_id = user;
  row.source_key = key;
  row.tz = "Europe/Berlin";
  row.model_id = "m";
  row.modality = modality;
  row.start_utc_ms = start;
  row.duration_s = duration_s;
  const int64_t id = store.recordings().create(row);
  store.recordings().complete(id, {}, lines);
  return id;
}

LogEntry line(int64_t offset_ms, int64_t duration_ms, const std::string& modality, const std::string& text) {
  LogEntry e;
  e.offset_ms = offset_ms;
  e.duration_ms = duration_ms;
  e.modality = modality;
  e.text = text;
  return e;
}

std::string printed(LogStore& store, const std::string& user, int64_t* count = nullptr) {
  std::FILE* f = std::tmpfile();
  REQUIRE(f);
  const int64_t n = cli::print_user_log(store, user, f);
  if (count) *count = n;
  std::rewind(f);
  std::string text;
  char buf[4096];
  size_t got = 0;
  while ((got = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, got);
  std::fclose(f);
  return text;
}

}  // namespace

TEST_CASE("the log printer merges the lines of overlapping motion and audio recordings", "[cli][log]") {
  LogStore store(":memory:");
  const int64_t ann = store.users().ensure("ann", "Europe/Berlin");
  const int64_t start = utc_ms(2024, 6, 1, 13, 45);
  const int64_t minute = 60000;
  add_recording(store, ann, "watch.csv", start, 180, "imu",
                {line(0, 2 * minute, "imu", "walking"), line(2 * minute, minute, "imu", "standing")});
  // the phone started 20 s later
  add_recording(store, ann, "phone.wav", start + 20000, 120, "audio",
                {line(0, minute, "audio", "vacuum cleaner running"), line(minute + 50000, 30000, "audio", "quiet")});
  // a day later, on its own
  add_recording(store, ann, "evening.csv", start + 24 * 60 * minute, 60, "imu", {line(0, minute, "imu", "sitting")});
  // no wall-clock start: its lines count from its own start
  add_recording(store, ann, "old.csv", std::nullopt, 60, "imu", {line(65000, 5000, "imu", "cycling")});

  int64_t count = 0;
  const std::string text = printed(store, "ann", &count);
  CHECK(text ==
        "== old.csv  start time unknown  (1m00s, complete)\n"
        "[+00:01:05] Motion: cycling\n"
        "== watch.csv  2024-06-01 15:45:00 Europe/Berlin  (3m00s, complete)\n"
        "== phone.wav  2024-06-01 15:45:20 Europe/Berlin  (2m00s, complete)\n"
        "[15:45] Motion: walking, Audio: vacuum cleaner running\n"
        "[15:47] Motion: standing, Audio: quiet\n"
        "== evening.csv  2024-06-02 15:45:00 Europe/Berlin  (1m00s, complete)\n"
        "[15:45] Motion: sitting\n");
  CHECK(count == 4);
  CHECK_THROWS_AS(cli::print_user_log(store, "nobody", stdout), Error);
}
