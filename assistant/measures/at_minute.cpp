#include <algorithm>

#include "assistant/measures/evidence.h"
#include "assistant/measures/log_checks.h"
#include "assistant/measures/measures.h"
#include "assistant/measures/wording.h"
#include "common/time/local_calendar.h"

namespace imu2clip::assistant::measures {
namespace {

void add_once(std::vector<std::string>& names, const std::string& label) {
  if (std::find(names.begin(), names.end(), label) == names.end()) names.push_back(label);
}

}  // namespace

// What the log holds at one minute of each day in scope: what the user did, then what was heard
// (or, for "what did I hear", only that).
void run(Context& c, const measure::AtMinute& m) {
  std::vector<std::pair<int, std::string>> ranked;
  std::vector<std::string> heard;
  std::vector<const LogEntry*> all;
  bool unclear = false;  // the tagger logged the moment but could not name the motion (or sound)
  for (const auto& d : c.scope().days) {
    int64_t t = local_time_utc_ms(d.date, m.minute, c.tz);
    for (const auto* e : c.view.entries_at(t, 15 * kMinute)) {
      const bool sound = e->modality == kAudioModality;
      all.push_back(e);
      if (is_unclear_label(e->text)) {
        unclear = unclear || sound == m.sounds;
        continue;
      }
      if (sound != m.sounds) {
        if (sound) add_once(heard, e->text);
        continue;
      }
      bool allowed = m.allowed.empty() || std::count(m.allowed.begin(), m.allowed.end(), e->text);
      if (allowed && std::none_of(ranked.begin(), ranked.end(), [&](const auto& r) { return r.second == e->text; })) {
        ranked.push_back({kind_rank(classify_label(e->text), m.target_kind), e->text});
      }
    }
  }
  add_evidence(c, all);
  std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> names;
  for (auto& r : ranked) names.push_back(r.second);
  std::string at = clock_of_minute(m.minute);
  std::string scope = scope_phrase(c.scope());
  const std::string also_heard = heard.empty() ? "" : " (Audio: " + join_names(heard) + ")";
  if (!names.empty()) {
    c.out.text = join_names(names) + " at " + at + " " + scope + also_heard + ".";
  } else if (unclear && m.sounds) {
    c.out.text = "The sound was unclear at " + at + " " + scope +
                 ": the tagger heard something then but was not confident enough to name it.";
  } else if (unclear) {
    c.out.text = "Your motion was unclear at " + at + " " + scope +
                 ": the tagger logged movement then but was not confident enough to name an activity." + also_heard;
  } else if (m.sounds) {
    c.out.text = "No sound is logged near " + at + " " + scope + ".";
  } else if (!heard.empty()) {
    c.out.text = "No activity is logged near " + at + " " + scope + ", only what was heard: " + join_names(heard) + ".";
  } else {
    c.out.text = "Nothing is logged near " + at + " " + scope + ".";
  }
  nlohmann::json f = {{"type", "at_time"}, {"at", at}, {"labels", names}};
  if (!m.sounds && !heard.empty()) f["heard"] = heard;
  if (names.empty() && unclear) f["unclear"] = true;
  c.out.facts.push_back(f);
}

}  // namespace imu2clip::assistant::measures
