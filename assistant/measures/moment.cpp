#include "assistant/measures/evidence.h"
#include "assistant/measures/measures.h"
#include "assistant/measures/moment_episodes.h"
#include "assistant/measures/wording.h"
#include "common/time/local_calendar.h"
#include "common/time/time_zone.h"

namespace imu2clip::assistant::measures {
namespace {

constexpr size_t kMaxSpans = 6;

// "09:00-09:20 and 17:00-17:10" (with weekdays when the scope has several days), the first
// episode's start first so the answer still opens with the first time.
std::string spans_text(const Context& c, const Intervals& eps) {
  std::vector<std::string> spans;
  for (size_t i = 0; i < eps.size() && i < kMaxSpans; ++i) {
    std::string day =
        c.scope().multi_day() ? std::string(weekday_name(weekday_index(local_date_of(eps[i].from, c.tz)))) + " " : "";
    spans.push_back(day + hhmm(eps[i].from, c.tz) + "-" + hhmm(eps[i].to, c.tz));
  }
  if (eps.size() > kMaxSpans) spans.push_back(std::to_string(eps.size() - kMaxSpans) + " more");
  return join_names(spans);
}

}  // namespace

void run(Context& c, const measure::Moment& m) {
  auto found = find_moment_episodes(c, m);
  if (!found) return;
  const Intervals& eps = found->episodes;
  const bool first = m.occurrence == Occurrence::First;
  const Interval& ep = first ? eps.front() : eps.back();
  int64_t at = m.boundary == Boundary::Start ? ep.from : ep.to;
  std::string count = eps.size() == 1 ? std::string("one episode") : std::to_string(eps.size()) + " episodes";
  if (m.spans && !m.whole_log) {
    c.out.text = spans_text(c, eps) + ": " + found->name + " " + scope_phrase(c.scope()) + " (" + count + ").";
  } else {
    std::string verb =
        m.boundary == Boundary::Start ? (m.whole_log ? "starts" : "started") : (m.whole_log ? "ends" : "ended");
    std::string which = eps.size() > 1 ? (first ? " first" : " last") : "";
    c.out.text = hhmm(at, c.tz) + ": " + found->name + which + " " + verb + " then " + scope_phrase(c.scope()) + " (" +
                 count + ").";
  }
  nlohmann::json f = {{"type", "time"},
                      {"activity", describe(found->subject)},
                      {"boundary", m.boundary == Boundary::Start ? "start" : "end"},
                      {"occurrence", first ? "first" : "last"},
                      {"at", format_iso8601(at, c.tz)},
                      {"local", hhmm(at, c.tz)},
                      {"episodes", eps.size()}};
  if (m.spans && !m.whole_log) {
    nlohmann::json spans = nlohmann::json::array();
    for (const auto& e : eps)
      spans.push_back({{"from", format_iso8601(e.from, c.tz)}, {"to", format_iso8601(e.to, c.tz)}});
    f["spans"] = spans;
  }
  c.out.facts.push_back(f);
  if (m.whole_log) add_evidence(c, c.view.entries_at(at - (m.boundary == Boundary::End ? 1 : 0), kMinute));
  else if (m.spans) cite_episodes(c, found->subject, eps);
  else cite_episodes(c, found->subject, {ep});
}

}  // namespace imu2clip::assistant::measures
