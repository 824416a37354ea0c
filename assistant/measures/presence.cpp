#include <algorithm>
#include <cmath>

#include "assistant/measures/evidence.h"
#include "assistant/measures/log_checks.h"
#include "assistant/measures/measures.h"
#include "assistant/measures/wording.h"

namespace imu2clip::assistant::measures {
namespace {

// "about 2 hours" reads a chart: within 5 minutes or a tenth.
bool within(int64_t value, const Threshold& t) {
  if (t.comparator == Comparator::About) return std::llabs(value - t.amount) <= std::max<int64_t>(5 * kMinute, t.amount / 10);
  return satisfies(value, t);
}

}  // namespace

// Existence, optionally with an amount: "did I sleep more than 8 hours". A yes about something
// done needs some of it in the log: "less than 10 minutes" of nothing is not a yes.
void run(Context& c, const measure::Presence& m) {
  const Subject& s = c.subject();
  if (s.empty()) {
    report_missing_subject(c, "No");
    if (s.unmatched.empty()) c.out.text = "No record of that: " + c.out.text;
    return;
  }
  bool yes = false;
  std::string detail;
  for (size_t i = 0; i < s.items.size(); ++i) {
    Expression e = s.item(i);
    const bool absence = is_absence(e);
    int64_t d = c.view.duration_ms(e);
    Intervals eps = c.view.episodes(e);
    bool holds = d > 0;
    if (absence) {
      int64_t positive = 0;
      for (const auto& lit : e) positive += c.view.duration_ms({Literal{lit.labels, false}});
      holds = positive == 0;
    }
    if (m.amount) {
      int64_t measured = d;
      if (m.stretch) {
        measured = 0;
        for (const auto& ep : eps) measured = std::max(measured, ep.length());
      }
      holds = within(measured, *m.amount) && (absence || measured > 0);
    }
    yes = yes || holds;
    detail += (detail.empty() ? "" : "; ") + format_duration_words(d) + " " + phrase(e) +
              (eps.empty() ? "" : " (" + std::to_string(eps.size()) + (eps.size() == 1 ? " episode" : " episodes") +
                                      ", first at " + hhmm(eps.front().from, c.tz) + ")");
    c.out.facts.push_back({{"type", "duration"}, {"activity", describe(e)}, {"minutes", std::llround(d / 60000.0)},
                           {"episodes", eps.size()}});
    cite_episodes(c, e, eps);
  }
  c.out.text = std::string(yes ? "Yes" : "No") + ": " + detail + " " + scope_phrase(c.scope()) + ".";
}

}  // namespace imu2clip::assistant::measures
