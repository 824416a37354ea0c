#include <cmath>
#include <map>
#include <set>

#include "assistant/measures/measures.h"
#include "assistant/measures/wording.h"
#include "common/time/local_calendar.h"

namespace imu2clip::assistant::measures {

// The local hour with the most (or least) of the subject, among hours that have log data.
void run(Context& c, const measure::PeakHour& m) {
  Expression e = c.subject().item(0);
  std::map<int, int64_t> by_hour;
  std::set<int> hours_logged;
  for (const auto& d : c.scope().days) {
    for (int h = 0; h < 24; ++h) {
      int64_t a = local_time_utc_ms(d.date, h * 60, c.tz), b = local_time_utc_ms(d.date, (h + 1) * 60, c.tz);
      Intervals w = intersect(d.windows, {{a, b}});
      if (w.empty() || c.view.logged(w).empty()) continue;
      hours_logged.insert(h);
      by_hour[h] += c.view.duration_ms(e, w);
    }
  }
  if (hours_logged.empty()) {
    c.out.text = "Your log has nothing " + scope_phrase(c.scope()) + ".";
    return;
  }
  int best = *hours_logged.begin();
  for (int h : hours_logged) {
    bool better = m.order == Order::Least ? by_hour[h] < by_hour[best] : by_hour[h] > by_hour[best];
    if (better) best = h;
  }
  std::string t = clock_of_minute(best * 60);
  c.out.text = t + " is the hour with the " + (m.order == Order::Least ? "least " : "most ") + phrase(e) + " (" +
               format_duration_words(by_hour[best]) + ") " + scope_phrase(c.scope()) + ".";
  c.out.facts.push_back(
      {{"type", "hour"}, {"activity", describe(e)}, {"hour", t}, {"minutes", std::llround(by_hour[best] / 60000.0)}});
}

}  // namespace imu2clip::assistant::measures
