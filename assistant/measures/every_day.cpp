#include "assistant/measures/log_checks.h"
#include "assistant/measures/measures.h"
#include "assistant/measures/wording.h"

namespace imu2clip::assistant::measures {

// "did I walk every day": every scope day with log data has it.
void run(Context& c, const measure::EveryDay&) {
  Expression e = c.subject().item(0);
  std::vector<std::string> missing;
  auto days = c.view.days_with_data();
  for (const auto* d : days) {
    if (!day_holds(c.view, e, d->windows)) missing.push_back(day_label(*d));
  }
  bool yes = !days.empty() && missing.empty();
  c.out.text = std::string(yes ? "Yes" : "No") + ": " + phrase(e) + " " +
               (yes ? "on every logged day" : "is missing on " + join_names(missing)) + " " + scope_phrase(c.scope()) +
               ".";
  c.out.facts.push_back(
      {{"type", "every_day"}, {"activity", describe(e)}, {"days_logged", days.size()}, {"days_without", missing}});
}

}  // namespace imu2clip::assistant::measures
