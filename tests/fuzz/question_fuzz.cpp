// Questions into time scopes and query plans (assistant/time_scope.h, assistant/planner.h). The
// first input byte picks the zone and whether the user looks at a focused day; the rest is the
// question, asked at 20:00 local on Thursday 2024-05-16. Any text must give a scope (the
// answerer says when it cannot read a question; it never fails on one) whose days are in order
// and whose windows lie in their day (a night: and the next morning) and never after "now"; the plan must serialise to JSON
// (the first fact of every answer) whenever the question was valid UTF-8.
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "assistant/lexicon.h"
#include "assistant/plan_json.h"
#include "assistant/planner.h"
#include "common/time/instant.h"
#include "fuzz_support.h"

using namespace imu2clip;
using namespace imu2clip::assistant;

namespace {

// A day and a DST hour.
constexpr int64_t kNextDayMs = 25 * 3'600'000;

const char* const kZones[] = {"America/Los_Angeles", "UTC", "Asia/Kolkata", "Pacific/Chatham"};

const Vocabulary& vocabulary() {
  static const Vocabulary v({"walking", "sitting", "standing", "eating", "watching TV", "sleeping", "computer work",
                             "at home", "with friends", "phone in bag", "on a vehicle", "playing soccer",
                             "bathing or showering", "unclear motion"},
                            {"blender running", "microwave running", "speech", "quiet"});
  return v;
}

bool valid_utf8(const std::string& text) {
  try {
    (void)nlohmann::json(text).dump();
    return true;
  } catch (const nlohmann::json::type_error&) {
    return false;
  }
}

void check_scope(const TimeScope& scope, const ScopeContext& context) {
  FUZZ_CHECK(!scope.days.empty());
  FUZZ_CHECK(!scope.description.empty());
  for (size_t i = 0; i < scope.days.size(); ++i) {
    const DaySlice& d = scope.days[i];
    FUZZ_CHECK(d.day_from_utc_ms < d.day_to_utc_ms);
    if (i > 0) FUZZ_CHECK(scope.days[i - 1].day_to_utc_ms <= d.day_from_utc_ms);  // chronological
    for (const Interval& w : d.windows) {
      FUZZ_CHECK(w.from < w.to);
      // A night runs into the next morning (time_scope.cpp: "to may exceed 1440").
      FUZZ_CHECK(w.from >= d.day_from_utc_ms && w.to <= d.day_to_utc_ms + kNextDayMs);
      FUZZ_CHECK(w.to <= context.as_of_utc_ms);
    }
  }
  if (scope.at_minute) FUZZ_CHECK(*scope.at_minute >= 0 && *scope.at_minute < 24 * 60);
  FUZZ_CHECK(scope.from_utc_ms() <= scope.to_utc_ms());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string tz = kZones[data[0] & 3];
  const std::string question(reinterpret_cast<const char*>(data + 1), size - 1);
  ScopeContext context;
  context.tz = tz;
  context.as_of_utc_ms = parse_iso8601_utc_ms("2024-05-16T20:00:00", tz);
  if (data[0] & 4) {  // the chart shows Monday 2024-05-13
    context.focus_from_utc_ms = parse_iso8601_utc_ms("2024-05-13T00:00:00", tz);
    context.focus_to_utc_ms = parse_iso8601_utc_ms("2024-05-14T00:00:00", tz);
  }
  if (data[0] & 8) {  // the log has data on even days only
    context.has_data = [](int64_t from, int64_t to) { return (from / 86'400'000) % 2 == 0 && from < to; };
  }

  const std::string normalised = normalise_question_text(question);
  check_scope(parse_time_scope(normalised, context), context);

  const QueryPlan plan = plan_question(question, vocabulary(), context);
  check_scope(plan.scope, context);
  FUZZ_CHECK(plan.question == question);
  FUZZ_CHECK(measure_name(plan.measure) != nullptr);
  if (valid_utf8(question)) (void)plan_to_json(plan).dump();
  return 0;
}
