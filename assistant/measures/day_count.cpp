#include "assistant/measures/log_checks.h"
#include "assistant/measures/measures.h"
#include "assistant/measures/wording.h"

namespace imu2clip::assistant::measures {

void run(Context& c, const measure::DayCount& m) {
  if (report_missing_subject(c, "0 days")) return;
  Expression e = c.subject().item(0);
  std::vector<std::string> days;
  for (const auto* d : c.view.days_with_data()) {
    bool holds = day_holds(c.view, e, d->windows);
    // "at least 20 minutes" and "more than 20 minutes" read the same at minute resolution
    if (holds && m.per_day) {
      int64_t amount = c.view.duration_ms(positive_part(e), d->windows);
      holds = m.per_day->comparator == Comparator::LessThan ? amount < m.per_day->amount
                                                            : amount >= m.per_day->amount;
    }
    if (holds) days.push_back(day_label(*d));
  }
  c.out.facts.push_back({{"type", "day_count"}, {"activity", describe(e)}, {"days", days}, {"count", days.size()}});
  c.out.text = std::to_string(days.size()) + (days.size() == 1 ? " day" : " days") + " " + scope_phrase(c.scope()) +
               (days.empty() ? "" : " (" + join_names(days) + ")") + ".";
}

}  // namespace imu2clip::assistant::measures
