#include "assistant/measures/measures.h"
#include "assistant/measures/wording.h"

namespace imu2clip::assistant::measures {

// "was I in a meeting longer than I watched TV": the first item against the second.
void run(Context& c, const measure::Comparison& m) {
  Expression a = c.subject().item(0), b = c.subject().item(1);
  auto value = [&](const Expression& e) {
    return m.by_episodes ? static_cast<int64_t>(c.view.episodes(e).size()) : c.view.duration_ms(e);
  };
  int64_t da = value(a), db = value(b);
  bool yes = m.order == Order::Most ? da > db : da < db;
  auto fmt = [&](int64_t v) { return m.by_episodes ? std::to_string(v) + " times" : format_duration_words(v); };
  c.out.text = std::string(yes ? "Yes" : "No") + ": " + fmt(da) + " " + phrase(a) + " versus " + fmt(db) + " " +
               phrase(b) + " " + scope_phrase(c.scope()) + ".";
  c.out.facts.push_back({{"type", "comparison"}, {"a", describe(a)}, {"b", describe(b)}, {"a_value", da},
                         {"b_value", db}, {"unit", m.by_episodes ? "episodes" : "ms"}});
}

}  // namespace imu2clip::assistant::measures
