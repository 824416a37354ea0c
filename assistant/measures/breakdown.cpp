#include <algorithm>
#include <cmath>

#include "assistant/measures/evidence.h"
#include "assistant/measures/log_checks.h"
#include "assistant/measures/measures.h"
#include "assistant/measures/wording.h"
#include "storage/log_format.h"

namespace imu2clip::assistant::measures {
namespace {

constexpr size_t kMaxListed = 8;

struct Part {
  std::string label;
  int64_t ms = 0;
};

}  // namespace

// "what did I hear (while cooking)": each label of the modality with its time inside the
// subject's time, most first. Silence ("quiet") is said apart from the sounds, and a stretch the
// tagger could not name ("unclear sound") is none of them.
void run(Context& c, const measure::Breakdown& m) {
  const Subject& s = c.subject();
  if (s.empty() && s.condition.empty() && !s.unmatched.empty()) {
    report_missing_subject(c);
    return;
  }
  const Expression within = !s.items.empty() ? s.item(0) : s.condition;
  const std::string where = (within.empty() ? "" : " while " + phrase(within)) + " " + scope_phrase(c.scope());
  const Intervals windows = within.empty() ? c.scope().windows() : c.view.coverage(within);
  nlohmann::json fact = {{"type", "breakdown"}, {"modality", m.modality}, {"labels", nlohmann::json::array()}};
  if (!within.empty()) fact["within"] = describe(within);
  if (!within.empty() && windows.empty()) {
    c.out.text = "There is no " + phrase(within) + " in your log " + scope_phrase(c.scope()) + ".";
    fact["found"] = false;
    c.out.facts.push_back(fact);
    return;
  }
  // A label that is the setting itself ("what did I hear while the TV was on") is not news.
  std::vector<std::string> own;
  for (const auto& lit : within) {
    if (!lit.negated) own.insert(own.end(), lit.labels.begin(), lit.labels.end());
  }
  std::vector<Part> parts;
  int64_t silence = 0;
  for (const auto& label : c.view.labels_present()) {
    if (is_unclear_label(label) || !c.view.modalities(label).count(m.modality)) continue;
    if (std::count(own.begin(), own.end(), label)) continue;
    const int64_t ms = c.view.duration_ms(label, m.modality, windows);
    if (ms <= 0) continue;
    fact["labels"].push_back({{"label", label}, {"minutes", std::llround(ms / 60000.0)}});
    if (m.modality == kAudioModality && is_silence_label(label)) silence += ms;
    else parts.push_back({label, ms});
  }
  std::stable_sort(parts.begin(), parts.end(), [](const Part& a, const Part& b) { return a.ms > b.ms; });
  std::vector<std::string> names;
  for (size_t i = 0; i < parts.size() && i < kMaxListed; ++i) {
    names.push_back(parts[i].label + " (" + format_duration_words(parts[i].ms) + ")");
    cite_episodes(c, {Literal{{parts[i].label}, false}}, c.view.episodes({Literal{{parts[i].label}, false}}, windows));
  }
  if (parts.size() > kMaxListed) names.push_back(std::to_string(parts.size() - kMaxListed) + " more");
  const bool audio = m.modality == kAudioModality;
  if (!names.empty()) {
    c.out.text = (audio ? "You heard " : modality_display_name(m.modality) + ": ") + join_names(names) + where +
                 (silence > 0 ? "; it was quiet for " + format_duration_words(silence) : "") + ".";
  } else if (silence > 0) {
    c.out.text = "It was quiet" + where + " (" + format_duration_words(silence) + ").";
  } else {
    c.out.text = std::string(audio ? "No sound is logged" : "Nothing of that kind is logged") + where + ".";
  }
  c.out.facts.push_back(fact);
}

}  // namespace imu2clip::assistant::measures
