#pragma once
// How answers name things: activities ("walking while at home"), durations ("2 hours 5
// minutes"), clock times, days and the scope ("on Tuesday 2024-05-14", "over the past week").
#include <cstdint>
#include <string>
#include <vector>

#include "assistant/log_view.h"
#include "common/time/duration_format.h"
#include "assistant/time_scope.h"

namespace imu2clip::assistant::measures {

// "a, b and c" (or "a, b or c").
std::string join_names(const std::vector<std::string>& names, const std::string& last_joiner = "and");
// "walking", "walking while at home", "at home and not sleeping".
std::string phrase(const Expression& e);
std::string hhmm(int64_t utc_ms, const std::string& tz);
// "15:05" of minutes after local midnight.
std::string clock_of_minute(int minute);
std::string day_name(const DaySlice& d);
// "Tuesday 2024-05-14".
std::string day_label(const DaySlice& d);
std::string scope_phrase(const TimeScope& scope);

}  // namespace imu2clip::assistant::measures
