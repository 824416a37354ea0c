#pragma once
// A life log held in memory, for testing the planner and the measure executors without SQLite:
// one "context" entry per minute per label (like an imported minute-level log), and time scopes
// of whole local days built directly.
#include <algorithm>
#include <string>
#include <vector>

#include "assistant/log_view.h"
#include "assistant/time_scope.h"
#include "common/time/instant.h"
#include "common/time/local_calendar.h"
#include "common/time/time_zone.h"
#include "tests/unit/assistant/minute_entries.h"

namespace imu2clip::test {

struct MemoryLog {
  std::string tz = "America/Los_Angeles";
  std::vector<LogEntry> entries;

  // `minutes` one-minute entries of each label from local `hhmm` on `date`.
  void run(const std::string& date, const std::string& hhmm, int minutes, const std::vector<std::string>& labels) {
    const int64_t start = parse_iso8601_utc_ms(date + "T" + hhmm + ":00", tz);
    const auto added = minute_entries(1, start, minutes, labels, "context");
    entries.insert(entries.end(), added.begin(), added.end());
  }

  std::vector<std::string> labels() const {
    std::vector<std::string> out;
    for (const auto& e : entries) {
      if (std::find(out.begin(), out.end(), e.text) == out.end()) out.push_back(e.text);
    }
    return out;
  }

  // Whole local days from `first` to `last` (ISO dates), inclusive.
  assistant::TimeScope days(const std::string& first, const std::string& last) const {
    assistant::TimeScope scope;
    for (LocalDate d = parse_local_date(first); d <= parse_local_date(last); d = add_days(d, 1)) {
      assistant::DaySlice s;
      s.date = d;
      s.day_from_utc_ms = day_start_utc_ms(d, tz);
      s.day_to_utc_ms = day_end_utc_ms(d, tz);
      s.windows = {{s.day_from_utc_ms, s.day_to_utc_ms}};
      scope.days.push_back(s);
    }
    scope.description = scope.days.size() == 1 ? first : first + " to " + last;
    return scope;
  }

  assistant::LogView view(const assistant::TimeScope& scope, int64_t episode_gap_ms = 5 * 60000) const {
    std::vector<LogEntry> sorted = entries;
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const LogEntry& a, const LogEntry& b) { return *a.t_utc_ms < *b.t_utc_ms; });
    return assistant::LogView(sorted, scope, episode_gap_ms);
  }

  int64_t at(const std::string& local) const { return parse_iso8601_utc_ms(local, tz); }
};

// The days of the hand-made log (hand_made_log.h), in memory.
inline MemoryLog everyday_memory_log() {
  MemoryLog log;
  log.run("2024-05-14", "00:00", 7 * 60, {"sleeping", "lying down", "at home"});
  log.run("2024-05-14", "07:00", 20, {"eating", "sitting", "at home"});
  log.run("2024-05-14", "07:30", 15, {"grooming", "standing", "at home"});
  log.run("2024-05-14", "08:00", 30, {"walking", "outside"});
  log.run("2024-05-14", "08:30", 3 * 60, {"doing computer work", "sitting", "at main workplace"});
  log.run("2024-05-14", "12:00", 30, {"eating", "sitting", "at main workplace"});
  log.run("2024-05-14", "12:30", 2, {"walking", "outside"});
  log.run("2024-05-14", "12:35", 10, {"walking", "outside"});
  log.run("2024-05-14", "17:00", 25, {"walking", "outside"});
  log.run("2024-05-14", "18:00", 60, {"watching TV", "sitting", "at home"});
  log.run("2024-05-15", "08:00", 10, {"walking", "outside"});
  log.run("2024-05-15", "09:00", 4 * 60, {"doing computer work", "sitting", "at main workplace"});
  log.run("2024-05-16", "07:00", 90, {"walking", "outside"});
  return log;
}

}  // namespace imu2clip::test
