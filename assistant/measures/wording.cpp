#include "assistant/measures/wording.h"

#include "common/time/local_calendar.h"
#include "common/time/time_zone.h"

namespace imu2clip::assistant::measures {

std::string join_names(const std::vector<std::string>& names, const std::string& last_joiner) {
  std::string s;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) s += i + 1 == names.size() ? (names.size() > 2 ? ", " : " ") + last_joiner + " " : ", ";
    s += names[i];
  }
  return s;
}

std::string phrase(const Expression& e) {
  std::string s;
  for (size_t i = 0; i < e.size(); ++i) {
    const auto& lit = e[i];
    std::string names = join_names(lit.labels, "or");
    if (i > 0) s += lit.negated ? " and not " : " while ";
    else if (lit.negated) s += "not ";
    s += names;
  }
  return s;
}

std::string hhmm(int64_t utc_ms, const std::string& tz) { return format_local_hhmm(utc_ms, tz); }

std::string clock_of_minute(int minute) {
  return (minute / 60 < 10 ? "0" : "") + std::to_string(minute / 60) + ":" + (minute % 60 < 10 ? "0" : "") +
         std::to_string(minute % 60);
}

std::string day_name(const DaySlice& d) { return weekday_name(weekday_index(d.date)); }

std::string day_label(const DaySlice& d) { return day_name(d) + " " + to_iso(d.date); }

std::string scope_phrase(const TimeScope& scope) {
  if (scope.days.size() == 1) {
    std::string s = "on " + day_label(scope.days.front());
    if (!scope.day_part.empty()) s += " (" + scope.day_part + ")";
    return s;
  }
  return "over " + scope.description;
}

}  // namespace imu2clip::assistant::measures
