#pragma once
// A small, fully known life log for answerer tests: user "ann" in America/Los_Angeles, one
// "context" entry per minute (like an imported minute-level log).
#include <string>
#include <vector>

#include "common/time/instant.h"
#include "common/time/time_zone.h"
#include "storage/log_store.h"
#include "tests/support/test_paths.h"
#include "tests/unit/assistant/minute_entries.h"

namespace imu2clip::test {

// One `modality` entry per minute per label for `user`, `minutes` long, starting at local
// `hhmm` on `date` in `tz`.
inline void add_minute_entries(LogStore& store, int64_t user, const std::string& tz, const std::string& date,
                               const std::string& hhmm, int minutes, const std::vector<std::string>& labels,
                               const std::string& modality) {
  const int64_t start = parse_iso8601_utc_ms(date + "T" + hhmm + ":00", tz);
  store.log().add(minute_entries(user, start, minutes, labels, modality));
}

struct HandMadeLog {
  std::string db;
  int64_t user = 0;
  std::string tz = "America/Los_Angeles";

  explicit HandMadeLog(const std::string& tag) {
    db = make_temp_dir(tag) + "/log.db";
    LogStore store(db);
    user = store.users().ensure("ann", tz);
    // Tuesday 2024-05-14
    run(store, "2024-05-14", "00:00", 7 * 60, {"sleeping", "lying down", "at home"});
    run(store, "2024-05-14", "07:00", 20, {"eating", "sitting", "at home"});
    run(store, "2024-05-14", "07:30", 15, {"grooming", "standing", "at home"});
    run(store, "2024-05-14", "08:00", 30, {"walking", "outside"});
    run(store, "2024-05-14", "08:30", 3 * 60, {"doing computer work", "sitting", "at main workplace"});
    run(store, "2024-05-14", "12:00", 30, {"eating", "sitting", "at main workplace"});
    run(store, "2024-05-14", "12:30", 2, {"walking", "outside"});   // joined to the next walk (gap < 5 min)
    run(store, "2024-05-14", "12:35", 10, {"walking", "outside"});
    run(store, "2024-05-14", "17:00", 25, {"walking", "outside"});
    run(store, "2024-05-14", "18:00", 60, {"watching TV", "sitting", "at home"});
    // Wednesday 2024-05-15: walking only a little, no TV
    run(store, "2024-05-15", "08:00", 10, {"walking", "outside"});
    run(store, "2024-05-15", "09:00", 4 * 60, {"doing computer work", "sitting", "at main workplace"});
    // Thursday 2024-05-16 (as_of day): a long walk
    run(store, "2024-05-16", "07:00", 90, {"walking", "outside"});
  }

  void run(LogStore& store, const std::string& date, const std::string& hhmm, int minutes,
           const std::vector<std::string>& labels) {
    add_minute_entries(store, user, tz, date, hhmm, minutes, labels, "context");
  }

  int64_t at(const std::string& local) const { return parse_iso8601_utc_ms(local, tz); }
};

}  // namespace imu2clip::test
