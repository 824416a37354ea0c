#include <algorithm>
#include <climits>
#include <cstdlib>

#include "assistant/measures/evidence.h"
#include "assistant/measures/log_checks.h"
#include "assistant/measures/measures.h"
#include "assistant/measures/wording.h"
#include "common/time/local_calendar.h"

namespace imu2clip::assistant::measures {
namespace {

using Direction = measure::Neighbour::Direction;

// The episode of X the question is about: the one nearest a named clock time, else the first or
// the last in scope.
std::optional<Interval> pick_episode(const Context& c, const measure::Neighbour& m, const Intervals& eps) {
  if (eps.empty()) return std::nullopt;
  if (m.near_minute) {
    std::optional<Interval> best;
    int64_t best_distance = INT64_MAX;
    for (const auto& d : c.scope().days) {
      int64_t t = local_time_utc_ms(d.date, *m.near_minute, c.tz);
      for (const auto& ep : eps) {
        int64_t distance = t < ep.from ? ep.from - t : t > ep.to ? t - ep.to : 0;
        if (distance < best_distance) {
          best_distance = distance;
          best = ep;
        }
      }
    }
    return best;
  }
  return m.occurrence == Occurrence::First ? eps.front() : eps.back();
}

struct Neighbouring {
  std::string label;
  Interval episode;
};

}  // namespace

// The labels whose episode starts right after X ends (or ends right before X starts), other than
// X's own labels and those that merely continue through X ("at home" around a meal): what the
// user did, or for "what did I hear after X" what was heard.
void run(Context& c, const measure::Neighbour& m) {
  if (report_missing_subject(c)) return;
  const Expression x = c.subject().item(0);
  const std::string scope = scope_phrase(c.scope());
  const bool after = m.direction == Direction::After;
  Intervals whole_days;
  for (const auto& d : c.scope().days) whole_days.push_back({d.day_from_utc_ms, d.day_to_utc_ms});
  whole_days = normalise(whole_days);
  auto picked = pick_episode(c, m, c.view.episodes(x));
  if (!picked) {
    c.out.text = "There is no " + phrase(x) + " in your log " + scope + ", so nothing " +
                 (after ? "after" : "before") + " it.";
    c.out.facts.push_back({{"type", "neighbour"}, {"activity", describe(x)}, {"found", false}});
    return;
  }
  const Interval ep = *picked;
  const int64_t gap = c.view.episode_gap_ms();
  std::vector<std::string> own;
  for (const auto& lit : x) {
    if (!lit.negated) own.insert(own.end(), lit.labels.begin(), lit.labels.end());
  }
  std::vector<std::string> candidates;
  if (m.sounds) {
    candidates = sounds_present(c.view);
  } else {
    for (const auto& e : labels_of_kind(c.view, m.target_kind)) candidates.push_back(e.front().labels.front());
  }
  std::vector<Neighbouring> found;
  for (const auto& label : candidates) {
    if (std::count(own.begin(), own.end(), label)) continue;
    Intervals eps = c.view.episodes({Literal{{label}, false}}, whole_days);
    std::optional<Interval> hit;
    for (const auto& e : eps) {
      // a sound that stops inside X (the tap running while cooking) was heard during it, not after
      if (m.sounds && after && e.to <= ep.to) continue;
      if (after && e.from > ep.from && e.from >= ep.to - gap) {
        hit = e;
        break;
      }
      if (!after && e.from < ep.from && e.to < ep.to && e.to <= ep.from + gap) hit = e;
    }
    if (hit) found.push_back({label, *hit});
  }
  if (found.empty()) {
    c.out.text = std::string("Nothing else is logged ") + (after ? "after " : "before ") + phrase(x) + " (" +
                 hhmm(ep.from, c.tz) + "-" + hhmm(ep.to, c.tz) + ") " + scope + ".";
    c.out.facts.push_back({{"type", "neighbour"}, {"activity", describe(x)}, {"labels", nlohmann::json::array()}});
    return;
  }
  // The nearest neighbours, and whatever began (or ended) with them within a minute.
  auto edge = [&](const Neighbouring& n) { return after ? n.episode.from : n.episode.to; };
  int64_t nearest = edge(found.front());
  for (const auto& n : found) nearest = after ? std::min(nearest, edge(n)) : std::max(nearest, edge(n));
  std::vector<Neighbouring> next;
  for (const auto& n : found) {
    if (std::llabs(edge(n) - nearest) <= kMinute) next.push_back(n);
  }
  std::stable_sort(next.begin(), next.end(), [&](const Neighbouring& a, const Neighbouring& b) {
    return kind_rank(classify_label(a.label), m.target_kind) < kind_rank(classify_label(b.label), m.target_kind);
  });
  std::vector<std::string> names;
  nlohmann::json labels = nlohmann::json::array();
  for (const auto& n : next) {
    names.push_back(n.label);
    labels.push_back({{"label", n.label}, {"from", hhmm(n.episode.from, c.tz)}, {"to", hhmm(n.episode.to, c.tz)}});
    cite_episodes(c, {Literal{{n.label}, false}}, {n.episode});
  }
  cite_episodes(c, x, {ep});
  c.out.text = join_names(names) + (after ? " from " : " until ") + hhmm(nearest, c.tz) + ", right " +
               (after ? "after " : "before ") + phrase(x) + " (" + hhmm(ep.from, c.tz) + "-" + hhmm(ep.to, c.tz) +
               ") " + scope + ".";
  c.out.facts.push_back({{"type", "neighbour"},
                         {"direction", after ? "after" : "before"},
                         {"activity", describe(x)},
                         {"episode", {{"from", hhmm(ep.from, c.tz)}, {"to", hhmm(ep.to, c.tz)}}},
                         {"labels", labels}});
}

}  // namespace imu2clip::assistant::measures
