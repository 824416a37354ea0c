#include "assistant/measures/measures.h"
#include "assistant/measures/moment_episodes.h"
#include "assistant/measures/wording.h"
#include "common/time/time_zone.h"

namespace imu2clip::assistant::measures {

void run(Context& c, const measure::CumulativeMoment& m) {
  auto found = find_moment_episodes(c, m.moment);
  if (!found) return;
  int64_t sum = 0;
  for (const auto& iv : c.view.coverage(found->subject)) {
    if (sum + iv.length() >= m.amount_ms) {
      int64_t at = iv.from + (m.amount_ms - sum);
      c.out.text = hhmm(at, c.tz) + " is when " + found->name + " passed " + format_duration_words(m.amount_ms) + " " +
                   scope_phrase(c.scope()) + ".";
      c.out.facts.push_back(
          {{"type", "cumulative"}, {"activity", describe(found->subject)}, {"at", format_iso8601(at, c.tz)}});
      return;
    }
    sum += iv.length();
  }
  c.out.text = "No: " + found->name + " added up to only " + format_duration_words(sum) + " " +
               scope_phrase(c.scope()) + ".";
}

}  // namespace imu2clip::assistant::measures
