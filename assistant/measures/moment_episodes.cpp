#include "assistant/measures/moment_episodes.h"

#include "assistant/measures/log_checks.h"
#include "assistant/measures/wording.h"

namespace imu2clip::assistant::measures {

std::optional<MomentEpisodes> find_moment_episodes(Context& c, const measure::Moment& m) {
  const Subject& s = c.subject();
  const TimeScope& scope = c.scope();
  MomentEpisodes found;
  if (m.whole_log || s.empty()) {
    found.name = "your log";
  } else {
    found.subject = s.item(0);
    found.name = phrase(found.subject);
  }
  if (!m.whole_log && s.empty()) {
    report_missing_subject(c);
    return std::nullopt;
  }
  // Episodes over whole days, so one that began before the asked-about window ("get home in
  // the evening" after being home all afternoon) is not mistaken for an arrival.
  Intervals whole_days;
  for (const auto& d : scope.days) {
    if (!d.windows.empty()) whole_days.push_back({d.day_from_utc_ms, d.windows.back().to});
  }
  Intervals windows = scope.windows();
  auto inside = [&](int64_t t) {
    for (const auto& w : windows) {
      if (w.from <= t && t < w.to + (m.boundary == Boundary::End ? 1 : 0)) return true;
    }
    return false;
  };
  for (const auto& ep : c.view.episodes(found.subject, normalise(whole_days))) {
    if (inside(m.boundary == Boundary::Start ? ep.from : ep.to)) found.episodes.push_back(ep);
  }
  if (!m.whole_log && m.arrival && m.boundary == Boundary::Start) {
    // an arrival follows other logged activity (not the start of the day or of the log)
    int64_t near = c.options.episode_gap_ms + kMinute;
    Intervals moves;
    for (const auto& ep : found.episodes) {
      if (!c.view.logged({{ep.from - near, ep.from}}).empty()) moves.push_back(ep);
    }
    if (!moves.empty()) found.episodes = moves;
  }
  if (found.episodes.empty()) {
    c.out.text = m.whole_log ? "No " + found.name + " " + scope_phrase(scope) + ", so there is no time to give."
                             : "There is no " + found.name + " in your log " + scope_phrase(scope) + ".";
    c.out.facts.push_back({{"type", "time"}, {"activity", describe(found.subject)}, {"found", false}});
    return std::nullopt;
  }
  return found;
}

}  // namespace imu2clip::assistant::measures
