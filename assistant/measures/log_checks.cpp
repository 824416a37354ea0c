#include "assistant/measures/log_checks.h"

#include <algorithm>

#include "assistant/measures/wording.h"

namespace imu2clip::assistant::measures {

bool is_heard(const LogView& view, const std::string& label) {
  return view.modalities(label).count(kAudioModality) > 0;
}

bool is_done(const LogView& view, const std::string& label) {
  const auto& modalities = view.modalities(label);
  return modalities.size() > modalities.count(kAudioModality);
}

std::vector<std::string> activities_present(const LogView& view) {
  auto labels = view.labels_present();
  labels.erase(std::remove_if(labels.begin(), labels.end(),
                              [&](const std::string& l) { return is_unclear_label(l) || !is_done(view, l); }),
               labels.end());
  return labels;
}

std::vector<std::string> sounds_present(const LogView& view) {
  auto labels = view.labels_present();
  labels.erase(std::remove_if(labels.begin(), labels.end(),
                              [&](const std::string& l) { return is_unclear_label(l) || !is_heard(view, l); }),
               labels.end());
  return labels;
}

std::vector<Expression> labels_of_kind(const LogView& view, const std::string& target_kind) {
  std::vector<Expression> candidates;
  for (const auto& label : activities_present(view)) {
    LabelKind k = classify_label(label);
    bool take = target_kind == "place"     ? k == LabelKind::Place
                : target_kind == "company" ? k == LabelKind::Company
                                           : (k == LabelKind::Activity || k == LabelKind::Posture);
    if (take) candidates.push_back({Literal{{label}, false}});
  }
  if (target_kind == "place") {
    // "where": a named place ("at home") answers better than "indoors"
    std::vector<Expression> named_places;
    for (const auto& cand : candidates) {
      const std::string& l = cand.front().labels.front();
      if (l.rfind("at ", 0) == 0 || l.rfind("in ", 0) == 0) named_places.push_back(cand);
    }
    if (!named_places.empty()) candidates = named_places;
  }
  return candidates;
}

Expression positive_part(const Expression& e) {
  Expression p;
  for (const auto& lit : e) {
    if (!lit.negated) p.push_back(lit);
  }
  return p;
}

bool is_absence(const Expression& e) {
  return std::all_of(e.begin(), e.end(), [](const Literal& l) { return l.negated; });
}

bool day_holds(const LogView& view, const Expression& e, const Intervals& windows) {
  Expression positive = positive_part(e);
  if (!positive.empty() && view.duration_ms(positive, windows) == 0) return false;
  for (const auto& lit : e) {
    if (lit.negated && view.duration_ms({Literal{lit.labels, false}}, windows) > 0) return false;
  }
  return true;
}

int kind_rank(LabelKind k, const std::string& target_kind) {
  if (target_kind == "place") return k == LabelKind::Place ? 0 : 1;
  if (target_kind == "company") return k == LabelKind::Company ? 0 : 1;
  switch (k) {
    case LabelKind::Activity: return 0;
    case LabelKind::Posture: return 1;
    case LabelKind::Company: return 2;
    case LabelKind::Place: return 3;
    case LabelKind::Device: return 4;
  }
  return 5;
}

bool report_missing_subject(Context& c, const std::string& zero) {
  const Subject& s = c.subject();
  if (!s.empty()) return false;
  auto present = activities_present(c.view);
  if (present.size() > 12) present.resize(12);
  auto heard = sounds_present(c.view);
  if (heard.size() > 12) heard.resize(12);
  c.out.understood = false;
  std::string what = s.unmatched.empty() ? "the activity in your question" : "\"" + s.unmatched + "\"";
  std::string logged = " Logged there: " + (present.empty() ? std::string("nothing") : join_names(present)) + ".";
  if (!heard.empty()) logged += " Heard: " + join_names(heard) + ".";
  if (!zero.empty() && !s.unmatched.empty()) {
    c.out.text = zero + ": I found no " + what + " in your log " + scope_phrase(c.scope()) + "." + logged;
  } else {
    c.out.text = "I could not match " + what + " to anything in your log " + scope_phrase(c.scope()) + "." + logged;
  }
  c.out.facts.push_back({{"type", "unmatched"}, {"words", s.unmatched}});
  return true;
}

}  // namespace imu2clip::assistant::measures
