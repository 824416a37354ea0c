#include "assistant/measures/log_checks.h"
#include "assistant/measures/measures.h"
#include "assistant/measures/wording.h"

namespace imu2clip::assistant::measures {

// "more than ten times", "on more than five days".
void run(Context& c, const measure::Tally& m) {
  Expression e = c.subject().item(0);
  int64_t n = 0;
  if (m.days) {
    for (const auto* d : c.view.days_with_data()) n += day_holds(c.view, e, d->windows) ? 1 : 0;
  } else {
    n = static_cast<int64_t>(c.view.episodes(e).size());
  }
  bool yes = satisfies(n, m.threshold);
  std::string unit = m.days ? (n == 1 ? " day" : " days") : (n == 1 ? " time" : " times");
  c.out.text = std::string(yes ? "Yes" : "No") + ": " + phrase(e) + " " + std::to_string(n) + unit + " " +
               scope_phrase(c.scope()) + ".";
  c.out.facts.push_back({{"type", m.days ? "day_count" : "count"}, {"activity", describe(e)}, {"count", n}});
}

}  // namespace imu2clip::assistant::measures
