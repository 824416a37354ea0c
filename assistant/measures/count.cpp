#include "assistant/measures/evidence.h"
#include "assistant/measures/log_checks.h"
#include "assistant/measures/measures.h"
#include "assistant/measures/wording.h"

namespace imu2clip::assistant::measures {

void run(Context& c, const measure::Count& m) {
  const Subject& s = c.subject();
  if (report_missing_subject(c, "0 times")) return;
  std::vector<std::string> parts;
  for (size_t i = 0; i < s.items.size(); ++i) {
    Expression e = s.item(i);
    Intervals eps = c.view.episodes(e);
    if (m.episode_length) {
      // "at least 20 minutes" and "more than 20 minutes" read the same at minute resolution
      Intervals kept;
      for (const auto& ep : eps) {
        bool ok = m.episode_length->comparator == Comparator::LessThan ? ep.length() < m.episode_length->amount
                                                                        : ep.length() >= m.episode_length->amount;
        if (ok) kept.push_back(ep);
      }
      eps = kept;
    }
    nlohmann::json times = nlohmann::json::array();
    for (const auto& ep : eps) times.push_back(hhmm(ep.from, c.tz) + "-" + hhmm(ep.to, c.tz));
    c.out.facts.push_back({{"type", "count"}, {"activity", describe(e)}, {"episodes", eps.size()}, {"times", times},
                           {"gap_tolerance_minutes", c.options.episode_gap_ms / kMinute}});
    cite_episodes(c, e, eps);
    parts.push_back(std::to_string(eps.size()) + (eps.size() == 1 ? " time" : " times") + " " + phrase(e));
  }
  c.out.text = parts.front() + " " + scope_phrase(c.scope()) +
               (parts.size() > 1 ? "; " + join_names(std::vector<std::string>(parts.begin() + 1, parts.end())) : "") +
               " (separate episodes, gaps under " + std::to_string(c.options.episode_gap_ms / kMinute) +
               " minutes joined).";
}

}  // namespace imu2clip::assistant::measures
