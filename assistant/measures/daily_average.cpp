#include <cmath>

#include "assistant/measures/log_checks.h"
#include "assistant/measures/measures.h"
#include "assistant/measures/wording.h"
#include "common/time/local_calendar.h"

namespace imu2clip::assistant::measures {

// Total over the scope's days that have log data, divided by the number of those days: a day
// without any log is unknown, not a day of zero, so it does not count. The answer names the
// days that counted.
void run(Context& c, const measure::DailyAverage&) {
  if (report_missing_subject(c, "0 minutes a day")) return;
  Expression e = c.subject().item(0);
  auto days = c.view.days_with_data();
  if (days.empty()) {
    c.out.text = "Your log has no entries " + scope_phrase(c.scope()) + ", so there is no average to give.";
    c.out.facts.push_back({{"type", "daily_average"}, {"activity", describe(e)}, {"days", nlohmann::json::array()}});
    return;
  }
  int64_t total = 0;
  std::vector<std::string> counted;
  nlohmann::json per_day = nlohmann::json::array();
  for (const auto* d : days) {
    int64_t ms = c.view.duration_ms(e, d->windows);
    total += ms;
    counted.push_back(day_label(*d));
    per_day.push_back({{"date", to_iso(d->date)}, {"minutes", std::llround(ms / 60000.0)}});
  }
  int64_t average = total / static_cast<int64_t>(days.size());
  c.out.text = "On average " + format_duration_words(average) + " " + phrase(e) + " a day: " +
               format_duration_words(total) + " over " + std::to_string(days.size()) +
               (days.size() == 1 ? " day" : " days") + " with log data (" + join_names(counted) + ").";
  c.out.facts.push_back({{"type", "daily_average"},
                         {"activity", describe(e)},
                         {"average_minutes", std::llround(average / 60000.0)},
                         {"total_minutes", std::llround(total / 60000.0)},
                         {"days", per_day}});
}

}  // namespace imu2clip::assistant::measures
