#include <algorithm>

#include "assistant/measures/evidence.h"
#include "assistant/measures/measures.h"
#include "assistant/measures/wording.h"
#include "common/time/local_calendar.h"

namespace imu2clip::assistant::measures {

// "was I at home at 5 pm": what the log says at that moment of each day.
void run(Context& c, const measure::PresenceAtMinute& m) {
  const Expression& item = c.subject().bare_item(0);
  bool any = false;
  for (const auto& d : c.scope().days) {
    auto at = c.view.entries_at(local_time_utc_ms(d.date, m.minute, c.tz), 10 * kMinute);
    add_evidence(c, at);
    for (const auto& lit : item) {
      bool found = false;
      for (const auto* e : at) found = found || std::count(lit.labels.begin(), lit.labels.end(), e->text) > 0;
      if (found != lit.negated) any = true;
    }
  }
  c.out.text = std::string(any ? "Yes" : "No") + ": the log " + (any ? "shows " : "does not show ") + phrase(item) +
               " at " + hhmm(local_time_utc_ms(c.scope().days.back().date, m.minute, c.tz), c.tz) + " " +
               scope_phrase(c.scope()) + ".";
  c.out.facts.push_back({{"type", "at_time"}, {"activity", describe(item)}, {"answer", any}});
}

}  // namespace imu2clip::assistant::measures
