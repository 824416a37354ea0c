#include <algorithm>
#include <climits>
#include <cmath>

#include "assistant/measures/evidence.h"
#include "assistant/measures/log_checks.h"
#include "assistant/measures/measures.h"
#include "assistant/measures/wording.h"
#include "common/time/local_calendar.h"

namespace imu2clip::assistant::measures {
namespace {

struct DayValue {
  const DaySlice* day;
  int64_t value;
};

using Pick = measure::WhichDay::Pick;
using Value = measure::WhichDay::Value;

int64_t value_of_day(const Context& c, const measure::WhichDay& m, const Expression& e, const DaySlice& d) {
  if (e.empty()) return total_length(c.view.logged(d.windows));
  if (m.absence) {
    int64_t v = 0;
    for (const auto& lit : e) v += c.view.duration_ms({Literal{lit.labels, false}}, d.windows);
    return v;
  }
  if (m.pick == Pick::Latest || m.pick == Pick::Earliest) {
    // "what day did I eat the latest": compare clock times across days
    Intervals eps = c.view.episodes(e, d.windows);
    if (eps.empty()) return INT64_MIN;
    int64_t since_midnight = (m.pick == Pick::Latest ? eps.back().to : eps.front().from) - d.day_from_utc_ms;
    return m.pick == Pick::Earliest ? -since_midnight : since_midnight;
  }
  switch (m.value) {
    case Value::LongestStretch: {
      int64_t v = 0;
      for (const auto& ep : c.view.episodes(e, d.windows)) v = std::max(v, ep.length());
      return v;
    }
    case Value::Episodes: return static_cast<int64_t>(c.view.episodes(e, d.windows).size());
    case Value::Time: break;
  }
  return c.view.duration_ms(e, d.windows);
}

}  // namespace

void run(Context& c, const measure::WhichDay& m) {
  const Subject& s = c.subject();
  auto days = c.view.days_with_data();
  if (days.empty()) {
    c.out.text = "Your log has no entries " + scope_phrase(c.scope()) + ".";
    return;
  }
  if (s.empty() && !s.unmatched.empty()) {
    report_missing_subject(c);
    return;
  }
  Expression e = s.empty() ? Expression{} : s.item(0);
  const bool by_clock = m.pick == Pick::Latest || m.pick == Pick::Earliest;
  const bool by_episodes = m.value == Value::Episodes;
  std::vector<DayValue> values;
  for (const auto* d : days) values.push_back({d, value_of_day(c, m, e, *d)});

  std::vector<const DaySlice*> answer;
  std::string how;
  switch (m.pick) {
    case Pick::Holds:
      // "which days did I walk (but not exercise)": days where it holds as a whole
      for (const auto& dv : values) {
        if (day_holds(c.view, e, dv.day->windows)) answer.push_back(dv.day);
      }
      how = "with " + phrase(e);
      break;
    case Pick::Latest:
    case Pick::Earliest: {
      int64_t best = INT64_MIN;
      for (const auto& dv : values) best = std::max(best, dv.value);
      for (const auto& dv : values) {
        if (dv.value == best && best != INT64_MIN) answer.push_back(dv.day);
      }
      how = std::string(m.pick == Pick::Latest ? "latest " : "earliest ") + phrase(e);
      break;
    }
    case Pick::Most:
    case Pick::Least: {
      // the least of something means the least on a day that had some
      std::vector<DayValue> pool;
      for (const auto& dv : values) {
        if (dv.value > 0 || m.pick == Pick::Most) pool.push_back(dv);
      }
      if (pool.empty()) pool = values;
      int64_t best = pool.front().value;
      for (const auto& dv : pool) best = m.pick == Pick::Least ? std::min(best, dv.value) : std::max(best, dv.value);
      for (const auto& dv : pool) {
        if (dv.value == best) answer.push_back(dv.day);
      }
      how = std::string(m.pick == Pick::Least ? "least " : "most ") + (e.empty() ? "logged time" : phrase(e)) + " (" +
            (by_episodes ? std::to_string(best) + " times" : format_duration_words(best)) + ")";
      break;
    }
    case Pick::Logged:
      for (const auto& dv : values) {
        if (dv.value > 0) answer.push_back(dv.day);
      }
      how = e.empty() ? "logged" : "with " + phrase(e);
      break;
  }
  nlohmann::json per_day = nlohmann::json::array();
  for (const auto& dv : values) {
    nlohmann::json v = by_clock ? nlohmann::json(nullptr)
                                : nlohmann::json(by_episodes ? dv.value : std::llround(dv.value / 60000.0));
    per_day.push_back({{"date", to_iso(dv.day->date)}, {"weekday", day_name(*dv.day)}, {"value", v}});
  }
  std::vector<std::string> names;
  nlohmann::json answer_dates = nlohmann::json::array();
  for (const auto* d : answer) {
    names.push_back(day_name(*d));
    answer_dates.push_back(to_iso(d->date));
  }
  c.out.facts.push_back({{"type", "days"}, {"activity", describe(e)}, {"per_day", per_day},
                         {"unit", by_episodes ? "episodes" : "minutes"}, {"answer", answer_dates}});
  if (!e.empty() && !m.absence) {
    for (const auto* d : answer) cite_episodes(c, e, c.view.episodes(e, d->windows));
  }
  if (names.empty()) {
    c.out.text = "No day " + scope_phrase(c.scope()) + " matches: none " + how + ".";
    return;
  }
  c.out.text = join_names(names) + " (" + how + ", of " + std::to_string(days.size()) + " logged days).";
}

}  // namespace imu2clip::assistant::measures
