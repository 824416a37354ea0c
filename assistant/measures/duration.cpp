#include <algorithm>
#include <climits>
#include <cmath>

#include "assistant/measures/evidence.h"
#include "assistant/measures/log_checks.h"
#include "assistant/measures/measures.h"
#include "assistant/measures/wording.h"

namespace imu2clip::assistant::measures {
namespace {

int64_t rounded(const measure::Duration& m, int64_t ms) {
  if (!m.round_to_minutes) return ms;
  int64_t unit = *m.round_to_minutes * kMinute;
  return (ms + unit / 2) / unit * unit;
}

// Every label the expression asks for was only heard ("vacuum cleaner running"): the time is
// how long it was heard, not time the user spent doing it.
bool only_heard(const LogView& view, const Expression& e) {
  bool any = false;
  for (const auto& lit : e) {
    if (lit.negated) continue;
    for (const auto& label : lit.labels) {
      if (is_done(view, label) || !is_heard(view, label)) return false;
      any = true;
    }
  }
  return any;
}

}  // namespace

void run(Context& c, const measure::Duration& m) {
  const Subject& s = c.subject();
  if (report_missing_subject(c, "0 minutes")) return;
  std::vector<int64_t> totals;
  std::vector<std::string> names;
  bool heard = true;
  for (size_t i = 0; i < s.items.size(); ++i) {
    Expression e = s.item(i);
    heard = heard && only_heard(c.view, e);
    Intervals eps = c.view.episodes(e);
    int64_t total = c.view.duration_ms(e);
    nlohmann::json f = {{"type", "duration"}, {"activity", describe(e)}, {"minutes", std::llround(total / 60000.0)},
                        {"episodes", eps.size()}};
    if (!eps.empty()) {
      int64_t longest = 0, shortest = INT64_MAX;
      for (const auto& ep : eps) {
        longest = std::max(longest, ep.length());
        shortest = std::min(shortest, ep.length());
      }
      f["longest_episode_minutes"] = std::llround(longest / 60000.0);
      f["shortest_episode_minutes"] = std::llround(shortest / 60000.0);
      if (m.stretch) total = *m.stretch == Order::Least ? shortest : longest;
    }
    c.out.facts.push_back(f);
    cite_episodes(c, e, eps);
    totals.push_back(total);
    names.push_back(phrase(e));
  }
  std::string scope = scope_phrase(c.scope());
  using Across = measure::Duration::Across;
  if (totals.size() >= 2 && m.across == Across::Difference) {
    int64_t diff = std::llabs(totals[0] - totals[1]);
    c.out.text = "The difference is " + format_duration_words(rounded(m, diff)) + ": " +
                 format_duration_words(totals[0]) + " " + names[0] + " and " + format_duration_words(totals[1]) + " " +
                 names[1] + " " + scope + ".";
    c.out.facts.push_back({{"type", "difference"}, {"minutes", std::llround(diff / 60000.0)}});
    return;
  }
  if (totals.size() >= 2 && m.across == Across::Sum) {
    int64_t sum = 0;
    for (auto t : totals) sum += t;
    std::string parts;
    for (size_t i = 0; i < totals.size(); ++i) parts += (i ? ", " : "") + format_duration_words(totals[i]) + " " + names[i];
    c.out.text = "In total " + format_duration_words(rounded(m, sum)) + " " + scope + " (" + parts + ").";
    c.out.facts.push_back({{"type", "sum"}, {"minutes", std::llround(sum / 60000.0)}});
    return;
  }
  std::string text;
  if (m.stretch) {
    text = std::string(*m.stretch == Order::Least ? "Your shortest stretch " : "Your longest stretch ") + names[0] +
           " lasted " + format_duration_words(rounded(m, totals[0]));
  } else if (heard && totals.size() == 1 && s.items[0].size() == 1 && s.items[0][0].labels.size() == 1 &&
             is_silence_label(s.items[0][0].labels[0])) {
    text = "It was " + names[0] + " for " + format_duration_words(rounded(m, totals[0]));
  } else if (heard && totals.size() == 1) {
    text = "You heard " + names[0] + " for " + format_duration_words(rounded(m, totals[0]));
  } else {
    text = "You spent " + format_duration_words(rounded(m, totals[0])) + " " + names[0];
  }
  for (size_t i = 1; i < totals.size(); ++i) text += ", and " + format_duration_words(totals[i]) + " " + names[i];
  c.out.text = text + " " + scope + ".";
}

}  // namespace imu2clip::assistant::measures
