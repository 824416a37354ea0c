#pragma once
// Which part of the user's log a question is about, read from its time words relative to the
// question's "now" (as_of) in the user's zone: "today", "yesterday", "last night", "this
// morning", "on Tuesday", "last Tuesday", "on Tuesdays", "this week", "last week", "these days",
// "over the past 3 days", "on March 3", "2015-08-20", "8/20", "the 28th", "at 3pm", "between 2
// and 4 pm", "before noon", "in the morning", "at night", "over the weekend".
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "assistant/intervals.h"
#include "common/time/local_calendar.h"

namespace imu2clip::assistant {

struct ScopeContext {
  int64_t as_of_utc_ms = 0;  // the question's "now"; the scope never reaches past it
  std::string tz;            // the zone "today", "3pm" etc. are read in
  // The period the user is looking at (e.g. a chart of one day or one week); 0/0 = none.
  // A question that names no time is about it, and words relative to "now" ("today",
  // "yesterday", "this week", "these days") that would fall outside it refer to it instead.
  int64_t focus_from_utc_ms = 0;
  int64_t focus_to_utc_ms = 0;
  // Optional: whether the log has anything in [from, to). "On Tuesday" then means the latest
  // Tuesday that has a log (within the focus or the past week), not an empty one.
  std::function<bool(int64_t, int64_t)> has_data;
};

struct DaySlice {
  LocalDate date;
  int64_t day_from_utc_ms = 0;  // the whole local day
  int64_t day_to_utc_ms = 0;
  Intervals windows;            // the part(s) of the day asked about, clipped to as_of
};

struct TimeScope {
  std::vector<DaySlice> days;       // chronological, at least one
  std::optional<int> at_minute;     // "at 3pm": a moment (local minutes after midnight) on each day
  std::string day_part;             // "morning", "14:00-16:00", "" = whole days
  bool named_days = false;          // the question named its days (false = the default scope)
  bool every_day = false;           // "every day", "each day"
  std::string description;          // "Thursday 2015-08-20", "2015-08-14 to 2015-08-20, morning"

  int64_t from_utc_ms() const;      // bounds of all windows (one range query)
  int64_t to_utc_ms() const;
  Intervals windows() const;        // all windows, sorted
  bool multi_day() const { return days.size() > 1; }
};

// `normalised` is the question after normalise_question_text(). Throws InvalidInput for a bad zone.
TimeScope parse_time_scope(const std::string& normalised, const ScopeContext& context);

// True when the question itself asks about several days ("which day", "how many days",
// "every day", "per week"): then its default scope is the past week rather than one day.
bool asks_about_days(const std::string& normalised);

}  // namespace imu2clip::assistant
