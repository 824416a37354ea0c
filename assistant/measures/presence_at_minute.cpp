#include <algorithm>

#include "assistant/measures/evidence.h"
#include "assistant/measures/log_checks.h"
#include "assistant/measures/measures.h"
#include "assistant/measures/wording.h"
#include "common/time/local_calendar.h"

namespace imu2clip::assistant::measures {

// "was I at home at 5 pm", "was it quiet at 3 pm": what the log says at that moment of each day.
// A "no" about a sound says what was heard instead.
void run(Context& c, const measure::PresenceAtMinute& m) {
  const Expression& item = c.subject().bare_item(0);
  bool any = false;
  bool about_sound = false;
  for (const auto& lit : item) {
    for (const auto& label : lit.labels)
      about_sound = about_sound || (is_heard(c.view, label) && !is_done(c.view, label));
  }
  std::vector<std::string> heard;
  for (const auto& d : c.scope().days) {
    auto at = c.view.entries_at(local_time_utc_ms(d.date, m.minute, c.tz), 10 * kMinute);
    add_evidence(c, at);
    for (const auto& lit : item) {
      bool found = false;
      for (const auto* e : at) found = found || std::count(lit.labels.begin(), lit.labels.end(), e->text) > 0;
      if (found != lit.negated) any = true;
    }
    for (const auto* e : at) {
      if (e->modality == kAudioModality && std::find(heard.begin(), heard.end(), e->text) == heard.end()) {
        heard.push_back(e->text);
      }
    }
  }
  c.out.text = std::string(any ? "Yes" : "No") + ": the log " + (any ? "shows " : "does not show ") + phrase(item) +
               " at " + hhmm(local_time_utc_ms(c.scope().days.back().date, m.minute, c.tz), c.tz) + " " +
               scope_phrase(c.scope()) +
               (!any && about_sound && !heard.empty() ? "; heard then: " + join_names(heard) : "") + ".";
  nlohmann::json f = {{"type", "at_time"}, {"activity", describe(item)}, {"answer", any}};
  if (about_sound) f["heard"] = heard;
  c.out.facts.push_back(f);
}

}  // namespace imu2clip::assistant::measures
