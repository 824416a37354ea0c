#include <cmath>

#include "assistant/measures/measures.h"
#include "assistant/measures/wording.h"

namespace imu2clip::assistant::measures {

// "always X when Y", "the whole time I was Y": Y's time inside X's (95% allows for the
// minute-level edges of two separately logged labels).
void run(Context& c, const measure::Containment&) {
  const Subject& s = c.subject();
  const Expression& x = s.bare_item(0);
  Intervals y = c.view.coverage(s.condition);
  int64_t both = total_length(intersect(y, c.view.coverage(x)));
  int64_t all = total_length(y);
  bool yes = all > 0 && both >= all * 95 / 100;
  c.out.text = std::string(yes ? "Yes" : "No") + ": of " + format_duration_words(all) + " " + phrase(s.condition) +
               ", " + format_duration_words(both) + " was also " + phrase(x) + " " + scope_phrase(c.scope()) + ".";
  c.out.facts.push_back({{"type", "containment"}, {"activity", describe(x)}, {"during", describe(s.condition)},
                         {"minutes_during", std::llround(all / 60000.0)},
                         {"minutes_both", std::llround(both / 60000.0)}});
}

}  // namespace imu2clip::assistant::measures
