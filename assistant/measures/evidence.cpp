#include "assistant/measures/evidence.h"

#include <algorithm>

#include "common/time/local_calendar.h"
#include "storage/log_format.h"

namespace imu2clip::assistant::measures {

void add_evidence(Context& c, const std::vector<const LogEntry*>& entries) {
  bool multi = c.scope().multi_day();
  for (const auto* e : entries) {
    if (c.out.evidence.size() >= c.options.max_evidence) return;
    std::string line = format_log_line(*e, c.tz);
    if (multi && e->t_utc_ms) line = to_iso(local_date_of(*e->t_utc_ms, c.tz)) + " " + line;
    if (std::find(c.out.evidence.begin(), c.out.evidence.end(), line) == c.out.evidence.end()) {
      c.out.evidence.push_back(line);
    }
  }
}

void cite_episodes(Context& c, const Expression& e, const Intervals& episodes) {
  std::vector<const LogEntry*> picked;
  for (const auto& ep : episodes) {
    auto in = c.view.entries_in(e, {{ep.from, ep.from + 1}}, 4);
    picked.insert(picked.end(), in.begin(), in.end());
    if (picked.size() >= c.options.max_evidence) break;
  }
  if (!episodes.empty()) {
    auto in = c.view.entries_in(e, {{episodes.back().to - 1, episodes.back().to}}, 4);
    picked.insert(picked.end(), in.begin(), in.end());
  }
  add_evidence(c, picked);
}

}  // namespace imu2clip::assistant::measures
