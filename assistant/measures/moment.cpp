#include "assistant/measures/evidence.h"
#include "assistant/measures/measures.h"
#include "assistant/measures/moment_episodes.h"
#include "assistant/measures/wording.h"
#include "common/time/time_zone.h"

namespace imu2clip::assistant::measures {

void run(Context& c, const measure::Moment& m) {
  auto found = find_moment_episodes(c, m);
  if (!found) return;
  const Intervals& eps = found->episodes;
  const bool first = m.occurrence == Occurrence::First;
  const Interval& ep = first ? eps.front() : eps.back();
  int64_t at = m.boundary == Boundary::Start ? ep.from : ep.to;
  std::string verb = m.boundary == Boundary::Start ? (m.whole_log ? "starts" : "started")
                                                   : (m.whole_log ? "ends" : "ended");
  std::string which = eps.size() > 1 ? (first ? " first" : " last") : "";
  c.out.text = hhmm(at, c.tz) + ": " + found->name + which + " " + verb + " then " + scope_phrase(c.scope()) + " (" +
               (eps.size() == 1 ? std::string("one episode") : std::to_string(eps.size()) + " episodes") + ").";
  c.out.facts.push_back({{"type", "time"},
                         {"activity", describe(found->subject)},
                         {"boundary", m.boundary == Boundary::Start ? "start" : "end"},
                         {"occurrence", first ? "first" : "last"},
                         {"at", format_iso8601(at, c.tz)},
                         {"local", hhmm(at, c.tz)},
                         {"episodes", eps.size()}});
  if (!m.whole_log) cite_episodes(c, found->subject, {ep});
  else add_evidence(c, c.view.entries_at(at - (m.boundary == Boundary::End ? 1 : 0), kMinute));
}

}  // namespace imu2clip::assistant::measures
