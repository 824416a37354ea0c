#include "assistant/answerer.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "assistant/local_calendar.h"
#include "storage/log_format.h"
#include "storage/time_zone.h"

namespace imu2clip::assistant {
namespace {

using nlohmann::json;

constexpr int64_t kMinute = 60 * 1000;

struct Context {
  const ParsedQuestion& q;
  const LogView& view;
  const std::string& tz;
  const AnswerOptions& options;
  BuiltinAnswer out;
};

std::string join_names(const std::vector<std::string>& names, const std::string& last_joiner = "and") {
  std::string s;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) s += i + 1 == names.size() ? (names.size() > 2 ? ", " : " ") + last_joiner + " " : ", ";
    s += names[i];
  }
  return s;
}

// "walking", "walking while at home", "at home and not sleeping".
std::string phrase(const Expression& e) {
  std::string s;
  for (size_t i = 0; i < e.size(); ++i) {
    const auto& lit = e[i];
    std::string names = join_names(lit.labels, "or");
    if (i > 0) s += lit.negated ? " and not " : " while ";
    else if (lit.negated) s += "not ";
    s += names;
  }
  return s;
}

Expression with_condition(const Expression& item, const Expression& condition) {
  Expression e = item;
  e.insert(e.end(), condition.begin(), condition.end());
  return e;
}

std::string hhmm(int64_t utc_ms, const std::string& tz) { return format_local_hhmm(utc_ms, tz); }

std::string day_name(const DaySlice& d) { return weekday_name(weekday_index(d.date)); }

std::string scope_phrase(const TimeScope& scope) {
  if (scope.days.size() == 1) {
    std::string s = "on " + std::string(weekday_name(weekday_index(scope.days.front().date))) + " " +
                    to_iso(scope.days.front().date);
    if (!scope.day_part.empty()) s += " (" + scope.day_part + ")";
    return s;
  }
  return "over " + scope.description;
}

json scope_fact(const TimeScope& scope, const std::string& tz) {
  json days = json::array();
  for (const auto& d : scope.days) days.push_back(to_iso(d.date));
  json f = {{"type", "scope"},
            {"description", scope.description},
            {"from", format_iso8601(scope.from_utc_ms(), tz)},
            {"to", format_iso8601(scope.to_utc_ms(), tz)},
            {"days", days},
            {"tz", tz}};
  if (!scope.day_part.empty()) f["day_part"] = scope.day_part;
  if (scope.at_minute) f["at"] = std::to_string(*scope.at_minute / 60) + ":" + (*scope.at_minute % 60 < 10 ? "0" : "") + std::to_string(*scope.at_minute % 60);
  return f;
}

void add_evidence(Context& c, const std::vector<const LogEntry*>& entries) {
  bool multi = c.q.scope.multi_day();
  for (const auto* e : entries) {
    if (c.out.evidence.size() >= c.options.max_evidence) return;
    std::string line = format_log_line(*e, c.tz);
    if (multi && e->t_utc_ms) line = to_iso(local_date_of(*e->t_utc_ms, c.tz)) + " " + line;
    if (std::find(c.out.evidence.begin(), c.out.evidence.end(), line) == c.out.evidence.end()) {
      c.out.evidence.push_back(line);
    }
  }
}

// Evidence for an expression: the first entry of each episode (and the last of the last one).
void cite_episodes(Context& c, const Expression& e, const Intervals& episodes) {
  std::vector<const LogEntry*> picked;
  for (const auto& ep : episodes) {
    auto in = c.view.entries_in(e, {{ep.from, ep.from + 1}}, 4);
    picked.insert(picked.end(), in.begin(), in.end());
    if (picked.size() >= c.options.max_evidence) break;
  }
  if (!episodes.empty()) {
    auto in = c.view.entries_in(e, {{episodes.back().to - 1, episodes.back().to}}, 4);
    picked.insert(picked.end(), in.begin(), in.end());
  }
  add_evidence(c, picked);
}

// The labels with time in the scope that name something the user did (not "unclear motion").
std::vector<std::string> activities_present(const LogView& view) {
  auto labels = view.labels_present();
  labels.erase(std::remove_if(labels.begin(), labels.end(), is_unclear_label), labels.end());
  return labels;
}

// The question names an activity that matches no label: say so (with what the log holds)
// rather than guess. `zero` is the answer that absence implies ("0 times", "No").
bool unknown_activity(Context& c, const std::string& zero = "") {
  if (!c.q.items.empty()) return false;
  auto present = activities_present(c.view);
  if (present.size() > 12) present.resize(12);
  c.out.understood = false;
  std::string what = c.q.unmatched.empty() ? "the activity in your question" : "\"" + c.q.unmatched + "\"";
  std::string logged = " Logged there: " + (present.empty() ? std::string("nothing") : join_names(present)) + ".";
  if (!zero.empty() && !c.q.unmatched.empty()) {
    c.out.text = zero + ": nothing in your log " + scope_phrase(c.q.scope) + " matches " + what + "." + logged;
  } else {
    c.out.text = "I could not match " + what + " to anything in your log " + scope_phrase(c.q.scope) + "." + logged;
  }
  c.out.facts.push_back({{"type", "unmatched"}, {"words", c.q.unmatched}});
  return true;
}

Expression positive_part(const Expression& e) {
  Expression p;
  for (const auto& lit : e) {
    if (!lit.negated) p.push_back(lit);
  }
  return p;
}

// A day "with X but not Y": X happened that day and Y never did (not merely "some X minute
// without Y"), which is how people read day-level questions.
bool day_holds(const LogView& view, const Expression& e, const Intervals& windows) {
  Expression positive = positive_part(e);
  if (!positive.empty() && view.duration_ms(positive, windows) == 0) return false;
  for (const auto& lit : e) {
    if (lit.negated && view.duration_ms({Literal{lit.labels, false}}, windows) > 0) return false;
  }
  return true;
}

int64_t rounded(const ParsedQuestion& q, int64_t ms) {
  if (!q.round_to_minutes) return ms;
  int64_t unit = *q.round_to_minutes * kMinute;
  return (ms + unit / 2) / unit * unit;
}

// ------------------------------------------------------------------ durations

void answer_duration(Context& c) {
  const auto& q = c.q;
  if (unknown_activity(c, "0 minutes")) return;
  std::vector<int64_t> totals;
  std::vector<std::string> names;
  for (const auto& item : q.items) {
    Expression e = with_condition(item, q.condition);
    Intervals eps = c.view.episodes(e);
    int64_t total = c.view.duration_ms(e);
    json f = {{"type", "duration"}, {"activity", describe(e)}, {"minutes", std::llround(total / 60000.0)},
              {"episodes", eps.size()}};
    if (!eps.empty()) {
      int64_t longest = 0, shortest = INT64_MAX;
      for (const auto& ep : eps) {
        longest = std::max(longest, ep.length());
        shortest = std::min(shortest, ep.length());
      }
      f["longest_episode_minutes"] = std::llround(longest / 60000.0);
      f["shortest_episode_minutes"] = std::llround(shortest / 60000.0);
      if (q.single_stretch) total = q.extreme == Extreme::Least ? shortest : longest;
    }
    c.out.facts.push_back(f);
    cite_episodes(c, e, eps);
    totals.push_back(total);
    names.push_back(phrase(e));
  }
  std::string scope = scope_phrase(q.scope);
  if (totals.size() >= 2 && q.difference) {
    int64_t diff = std::llabs(totals[0] - totals[1]);
    c.out.text = "The difference is " + format_duration(rounded(q, diff)) + ": " + format_duration(totals[0]) + " " +
                 names[0] + " and " + format_duration(totals[1]) + " " + names[1] + " " + scope + ".";
    c.out.facts.push_back({{"type", "difference"}, {"minutes", std::llround(diff / 60000.0)}});
    return;
  }
  if (totals.size() >= 2 && q.combined) {
    int64_t sum = 0;
    for (auto t : totals) sum += t;
    std::string parts;
    for (size_t i = 0; i < totals.size(); ++i) parts += (i ? ", " : "") + format_duration(totals[i]) + " " + names[i];
    c.out.text = "In total " + format_duration(rounded(q, sum)) + " " + scope + " (" + parts + ").";
    c.out.facts.push_back({{"type", "sum"}, {"minutes", std::llround(sum / 60000.0)}});
    return;
  }
  std::string what = q.single_stretch ? (q.extreme == Extreme::Least ? "Your shortest stretch " : "Your longest stretch ")
                                      : "You spent ";
  std::string text = what + (q.single_stretch ? names[0] + " lasted " + format_duration(rounded(q, totals[0]))
                                              : format_duration(rounded(q, totals[0])) + " " + names[0]);
  for (size_t i = 1; i < totals.size(); ++i) text += ", and " + format_duration(totals[i]) + " " + names[i];
  c.out.text = text + " " + scope + ".";
}

// ------------------------------------------------------------------ counts

void answer_count(Context& c) {
  const auto& q = c.q;
  if (q.count_days) {
    if (unknown_activity(c, "0 days")) return;
    Expression e = with_condition(q.items.front(), q.condition);
    std::vector<std::string> days;
    for (const auto* d : c.view.days_with_data()) {
      bool holds = day_holds(c.view, e, d->windows);
      if (holds && q.threshold) holds = c.view.duration_ms(positive_part(e), d->windows) >= q.threshold->ms;
      if (holds) days.push_back(day_name(*d) + " " + to_iso(d->date));
    }
    c.out.facts.push_back({{"type", "day_count"}, {"activity", describe(e)}, {"days", days}, {"count", days.size()}});
    c.out.text = std::to_string(days.size()) + (days.size() == 1 ? " day" : " days") + " " + scope_phrase(q.scope) +
                 (days.empty() ? "" : " (" + join_names(days) + ")") + ".";
    return;
  }
  if (unknown_activity(c, "0 times")) return;
  std::vector<std::string> parts;
  for (size_t i = 0; i < q.items.size(); ++i) {
    Expression e = with_condition(q.items[i], q.condition);
    Intervals eps = c.view.episodes(e);
    if (q.threshold) {
      Intervals kept;
      for (const auto& ep : eps) {
        bool ok = q.threshold->comparator == Comparator::LessThan ? ep.length() < q.threshold->ms
                                                                  : ep.length() >= q.threshold->ms;
        if (ok) kept.push_back(ep);
      }
      eps = kept;
    }
    json times = json::array();
    for (const auto& ep : eps) times.push_back(hhmm(ep.from, c.tz) + "-" + hhmm(ep.to, c.tz));
    c.out.facts.push_back({{"type", "count"}, {"activity", describe(e)}, {"episodes", eps.size()}, {"times", times},
                           {"gap_tolerance_minutes", c.options.episode_gap_ms / kMinute}});
    cite_episodes(c, e, eps);
    parts.push_back(std::to_string(eps.size()) + (eps.size() == 1 ? " time" : " times") + " " + phrase(e));
  }
  c.out.text = parts.front() + " " + scope_phrase(q.scope) +
               (parts.size() > 1 ? "; " + join_names(std::vector<std::string>(parts.begin() + 1, parts.end())) : "") +
               " (separate episodes, gaps under " + std::to_string(c.options.episode_gap_ms / kMinute) +
               " minutes joined).";
}

// ------------------------------------------------------------------ times

void answer_time(Context& c) {
  const auto& q = c.q;
  if (q.per_hour && !q.items.empty()) {
    // The local hour with the most (or least) of the activity.
    Expression e = with_condition(q.items.front(), q.condition);
    std::map<int, int64_t> by_hour;
    std::set<int> hours_logged;
    for (const auto& d : q.scope.days) {
      for (int h = 0; h < 24; ++h) {
        int64_t a = local_time_utc_ms(d.date, h * 60, c.tz), b = local_time_utc_ms(d.date, (h + 1) * 60, c.tz);
        Intervals w = intersect(d.windows, {{a, b}});
        if (w.empty() || c.view.logged(w).empty()) continue;
        hours_logged.insert(h);
        by_hour[h] += c.view.duration_ms(e, w);
      }
    }
    if (hours_logged.empty()) {
      c.out.text = "Your log has nothing " + scope_phrase(q.scope) + ".";
      return;
    }
    int best = *hours_logged.begin();
    for (int h : hours_logged) {
      bool better = q.extreme == Extreme::Least ? by_hour[h] < by_hour[best] : by_hour[h] > by_hour[best];
      if (better) best = h;
    }
    std::string t = (best < 10 ? "0" : "") + std::to_string(best) + ":00";
    c.out.text = t + " is the hour with the " + (q.extreme == Extreme::Least ? "least " : "most ") + phrase(e) +
                 " (" + format_duration(by_hour[best]) + ") " + scope_phrase(q.scope) + ".";
    c.out.facts.push_back({{"type", "hour"}, {"activity", describe(e)}, {"hour", t},
                           {"minutes", std::llround(by_hour[best] / 60000.0)}});
    return;
  }
  Expression e;
  std::string name;
  if (q.any_activity || q.items.empty()) {
    name = "your log";
  } else {
    e = with_condition(q.items.front(), q.condition);
    name = phrase(e);
  }
  if (!q.any_activity && q.items.empty()) {
    unknown_activity(c);
    return;
  }
  // Episodes over whole days, so one that began before the asked-about window ("get home in
  // the evening" after being home all afternoon) is not mistaken for an arrival.
  Intervals whole_days;
  for (const auto& d : q.scope.days) {
    if (!d.windows.empty()) whole_days.push_back({d.day_from_utc_ms, d.windows.back().to});
  }
  Intervals windows = q.scope.windows();
  auto inside = [&](int64_t t) {
    for (const auto& w : windows) {
      if (w.from <= t && t < w.to + (q.boundary == Boundary::End ? 1 : 0)) return true;
    }
    return false;
  };
  int64_t near = c.options.episode_gap_ms + kMinute;
  Intervals eps;
  for (const auto& ep : c.view.episodes(e, normalise(whole_days))) {
    int64_t t = q.boundary == Boundary::Start ? ep.from : ep.to;
    if (inside(t)) eps.push_back(ep);
  }
  if (!q.any_activity && q.arrival && q.boundary == Boundary::Start) {
    // an arrival follows other logged activity (not the start of the day or of the log)
    Intervals moves;
    for (const auto& ep : eps) {
      if (!c.view.logged({{ep.from - near, ep.from}}).empty()) moves.push_back(ep);
    }
    if (!moves.empty()) eps = moves;
  }
  if (eps.empty()) {
    c.out.text = "No " + name + " " + scope_phrase(q.scope) + ", so there is no time to give.";
    if (!q.any_activity && !q.items.empty()) c.out.text = "There is no " + name + " in your log " + scope_phrase(q.scope) + ".";
    c.out.facts.push_back({{"type", "time"}, {"activity", describe(e)}, {"found", false}});
    return;
  }
  if (q.cumulative_ms) {
    int64_t sum = 0;
    for (const auto& iv : c.view.coverage(e)) {
      if (sum + iv.length() >= *q.cumulative_ms) {
        int64_t at = iv.from + (*q.cumulative_ms - sum);
        c.out.text = hhmm(at, c.tz) + " is when " + name + " passed " + format_duration(*q.cumulative_ms) + " " +
                     scope_phrase(q.scope) + ".";
        c.out.facts.push_back({{"type", "cumulative"}, {"activity", describe(e)}, {"at", format_iso8601(at, c.tz)}});
        return;
      }
      sum += iv.length();
    }
    c.out.text = "No: " + name + " added up to only " + format_duration(sum) + " " + scope_phrase(q.scope) + ".";
    return;
  }
  const Interval& ep = q.first ? eps.front() : eps.back();
  int64_t at = q.boundary == Boundary::Start ? ep.from : ep.to;
  std::string verb = q.boundary == Boundary::Start ? (q.any_activity ? "starts" : "started") : (q.any_activity ? "ends" : "ended");
  std::string which = eps.size() > 1 ? (q.first ? " first" : " last") : "";
  c.out.text = hhmm(at, c.tz) + ": " + name + which + " " + verb + " then " + scope_phrase(q.scope) + " (" +
               (eps.size() == 1 ? std::string("one episode") : std::to_string(eps.size()) + " episodes") + ").";
  c.out.facts.push_back({{"type", "time"},
                         {"activity", describe(e)},
                         {"boundary", q.boundary == Boundary::Start ? "start" : "end"},
                         {"occurrence", q.first ? "first" : "last"},
                         {"at", format_iso8601(at, c.tz)},
                         {"local", hhmm(at, c.tz)},
                         {"episodes", eps.size()}});
  if (!q.any_activity) cite_episodes(c, e, {ep});
  else add_evidence(c, c.view.entries_at(at - (q.boundary == Boundary::End ? 1 : 0), kMinute));
}

// ------------------------------------------------------------------ yes / no

void answer_yes_no(Context& c) {
  const auto& q = c.q;
  std::string scope = scope_phrase(q.scope);
  if (q.scope.at_minute && !q.items.empty()) {
    // "was I at home at 5 pm": what the log says at that moment of each day
    std::vector<std::string> hits;
    bool any = false;
    for (const auto& d : q.scope.days) {
      int64_t t = local_time_utc_ms(d.date, *q.scope.at_minute, c.tz);
      auto at = c.view.entries_at(t, 10 * kMinute);
      add_evidence(c, at);
      for (const auto& lit : q.items.front()) {
        bool found = false;
        for (const auto* e : at) found = found || std::count(lit.labels.begin(), lit.labels.end(), e->text) > 0;
        if (found != lit.negated) any = true;
      }
    }
    c.out.text = std::string(any ? "Yes" : "No") + ": the log " + (any ? "shows " : "does not show ") +
                 phrase(q.items.front()) + " at " + hhmm(local_time_utc_ms(q.scope.days.back().date, *q.scope.at_minute, c.tz), c.tz) +
                 " " + scope + ".";
    c.out.facts.push_back({{"type", "at_time"}, {"activity", describe(q.items.front())}, {"answer", any}});
    return;
  }
  if (q.items.empty()) {
    unknown_activity(c, "No");
    if (c.q.unmatched.empty()) c.out.text = "No record of that: " + c.out.text;
    return;
  }
  // Two activities compared: "was I in a meeting longer than I watched TV"
  if (q.items.size() >= 2 && q.extreme != Extreme::None && !q.threshold) {
    Expression a = with_condition(q.items[0], q.condition), b = with_condition(q.items[1], q.condition);
    int64_t da = q.by_frequency ? static_cast<int64_t>(c.view.episodes(a).size()) : c.view.duration_ms(a);
    int64_t db = q.by_frequency ? static_cast<int64_t>(c.view.episodes(b).size()) : c.view.duration_ms(b);
    bool yes = q.extreme == Extreme::Most ? da > db : da < db;
    auto fmt = [&](int64_t v) { return q.by_frequency ? std::to_string(v) + " times" : format_duration(v); };
    c.out.text = std::string(yes ? "Yes" : "No") + ": " + fmt(da) + " " + phrase(a) + " versus " + fmt(db) + " " +
                 phrase(b) + " " + scope + ".";
    c.out.facts.push_back({{"type", "comparison"}, {"a", describe(a)}, {"b", describe(b)}, {"a_value", da},
                           {"b_value", db}, {"unit", q.by_frequency ? "episodes" : "ms"}});
    return;
  }
  // "always X when Y", "the whole time I was Y": Y's time inside X's
  if (q.containment && !q.condition.empty()) {
    Expression x = q.items.front();
    Intervals y = c.view.coverage(q.condition);
    int64_t both = total_length(intersect(y, c.view.coverage(x)));
    int64_t all = total_length(y);
    bool yes = all > 0 && both >= all * 95 / 100;
    c.out.text = std::string(yes ? "Yes" : "No") + ": of " + format_duration(all) + " " + phrase(q.condition) + ", " +
                 format_duration(both) + " was also " + phrase(x) + " " + scope + ".";
    c.out.facts.push_back({{"type", "containment"}, {"activity", describe(x)}, {"during", describe(q.condition)},
                           {"minutes_during", std::llround(all / 60000.0)}, {"minutes_both", std::llround(both / 60000.0)}});
    return;
  }
  // "more than ten times", "more than five days"
  if (q.times_threshold || q.days_threshold) {
    Expression e = with_condition(q.items.front(), q.condition);
    int64_t n = 0;
    if (q.days_threshold) {
      for (const auto* d : c.view.days_with_data()) n += day_holds(c.view, e, d->windows) ? 1 : 0;
    } else {
      n = static_cast<int64_t>(c.view.episodes(e).size());
    }
    const Threshold& t = q.days_threshold ? *q.days_threshold : *q.times_threshold;
    bool yes = t.comparator == Comparator::MoreThan ? n > t.ms
               : t.comparator == Comparator::LessThan ? n < t.ms
               : t.comparator == Comparator::About    ? n == t.ms
                                                      : n >= t.ms;
    std::string unit = q.days_threshold ? (n == 1 ? " day" : " days") : (n == 1 ? " time" : " times");
    c.out.text = std::string(yes ? "Yes" : "No") + ": " + phrase(e) + " " + std::to_string(n) + unit + " " + scope + ".";
    c.out.facts.push_back({{"type", q.days_threshold ? "day_count" : "count"}, {"activity", describe(e)}, {"count", n}});
    return;
  }
  // "every day"
  if (q.scope.every_day || (q.containment && q.condition.empty())) {
    Expression e = with_condition(q.items.front(), q.condition);
    std::vector<std::string> missing;
    auto days = c.view.days_with_data();
    for (const auto* d : days) {
      if (!day_holds(c.view, e, d->windows)) missing.push_back(day_name(*d) + " " + to_iso(d->date));
    }
    bool yes = !days.empty() && missing.empty();
    c.out.text = std::string(yes ? "Yes" : "No") + ": " + phrase(e) + " " +
                 (yes ? "on every logged day" : "is missing on " + join_names(missing)) + " " + scope + ".";
    c.out.facts.push_back({{"type", "every_day"}, {"activity", describe(e)}, {"days_logged", days.size()},
                           {"days_without", missing}});
    return;
  }
  // Existence, optionally with an amount: "did I sleep more than 8 hours"
  bool yes = false;
  std::string detail;
  for (const auto& item : q.items) {
    Expression e = with_condition(item, q.condition);
    bool absence = std::all_of(e.begin(), e.end(), [](const Literal& l) { return l.negated; });
    int64_t d = c.view.duration_ms(e);
    Intervals eps = c.view.episodes(e);
    bool holds = d > 0;
    if (absence) {
      int64_t positive = 0;
      for (const auto& lit : e) positive += c.view.duration_ms({Literal{lit.labels, false}});
      holds = positive == 0;
    }
    if (q.threshold) {
      int64_t measure = q.single_stretch ? 0 : d;
      if (q.single_stretch) {
        for (const auto& ep : eps) measure = std::max(measure, ep.length());
      }
      int64_t t = q.threshold->ms;
      switch (q.threshold->comparator) {
        case Comparator::AtLeast: holds = measure >= t; break;
        case Comparator::MoreThan: holds = measure > t; break;
        case Comparator::LessThan: holds = measure < t; break;
        case Comparator::About: holds = std::llabs(measure - t) <= std::max<int64_t>(5 * kMinute, t / 10); break;
      }
    }
    yes = yes || holds;
    detail += (detail.empty() ? "" : "; ") + format_duration(d) + " " + phrase(e) +
              (eps.empty() ? "" : " (" + std::to_string(eps.size()) + (eps.size() == 1 ? " episode" : " episodes") +
                                      ", first at " + hhmm(eps.front().from, c.tz) + ")");
    c.out.facts.push_back({{"type", "duration"}, {"activity", describe(e)}, {"minutes", std::llround(d / 60000.0)},
                           {"episodes", eps.size()}});
    cite_episodes(c, e, eps);
  }
  c.out.text = std::string(yes ? "Yes" : "No") + ": " + detail + " " + scope + ".";
}

// ------------------------------------------------------------------ which activity

int kind_rank(LabelKind k, const std::string& target) {
  if (target == "place") return k == LabelKind::Place ? 0 : 1;
  if (target == "company") return k == LabelKind::Company ? 0 : 1;
  switch (k) {
    case LabelKind::Activity: return 0;
    case LabelKind::Posture: return 1;
    case LabelKind::Company: return 2;
    case LabelKind::Place: return 3;
    case LabelKind::Device: return 4;
  }
  return 5;
}

void answer_activity(Context& c) {
  const auto& q = c.q;
  std::string scope = scope_phrase(q.scope);
  if (q.scope.at_minute && q.items.size() <= 1 && (q.items.empty() || q.items.front().front().labels.size() > 1)) {
    std::vector<std::pair<int, std::string>> ranked;
    std::vector<const LogEntry*> all;
    bool unclear = false;  // the tagger logged the moment but could not name the motion
    for (const auto& d : q.scope.days) {
      int64_t t = local_time_utc_ms(d.date, *q.scope.at_minute, c.tz);
      for (const auto* e : c.view.entries_at(t, 15 * kMinute)) {
        all.push_back(e);
        if (is_unclear_label(e->text)) {
          unclear = true;
          continue;
        }
        bool allowed = q.items.empty() ||
                       std::count(q.items.front().front().labels.begin(), q.items.front().front().labels.end(), e->text);
        if (allowed && std::none_of(ranked.begin(), ranked.end(), [&](const auto& r) { return r.second == e->text; })) {
          ranked.push_back({kind_rank(classify_label(e->text), q.target_kind), e->text});
        }
      }
    }
    add_evidence(c, all);
    std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<std::string> names;
    for (auto& r : ranked) names.push_back(r.second);
    int minute = *q.scope.at_minute;
    std::string at = (minute / 60 < 10 ? "0" : "") + std::to_string(minute / 60) + ":" + (minute % 60 < 10 ? "0" : "") +
                     std::to_string(minute % 60);
    if (!names.empty()) {
      c.out.text = join_names(names) + " at " + at + " " + scope + ".";
    } else if (unclear) {
      c.out.text = "Your motion was unclear at " + at + " " + scope +
                   ": the tagger logged movement then but was not confident enough to name an activity.";
    } else {
      c.out.text = "Nothing is logged near " + at + " " + scope + ".";
    }
    json f = {{"type", "at_time"}, {"at", at}, {"labels", names}};
    if (names.empty() && unclear) f["unclear"] = true;
    c.out.facts.push_back(f);
    return;
  }
  // Candidates: the activities named ("walking or standing"), a group ("phone"), or every label
  // of the kind asked about ("where" -> places).
  std::vector<Expression> candidates;
  bool named = q.items.size() >= 2;
  if (named) {
    candidates = q.items;
  } else if (q.items.size() == 1 && q.items.front().size() == 1 && q.items.front().front().labels.size() > 1) {
    for (const auto& l : q.items.front().front().labels) candidates.push_back({Literal{{l}, false}});
  } else {
    for (const auto& label : activities_present(c.view)) {
      LabelKind k = classify_label(label);
      bool take = q.target_kind == "place"     ? k == LabelKind::Place
                  : q.target_kind == "company" ? k == LabelKind::Company
                                               : (k == LabelKind::Activity || k == LabelKind::Posture);
      if (take) candidates.push_back({Literal{{label}, false}});
    }
    if (q.target_kind == "place") {
      // "where": a named place ("at home") answers better than "indoors"
      std::vector<Expression> named_places;
      for (const auto& cand : candidates) {
        const std::string& l = cand.front().labels.front();
        if (l.rfind("at ", 0) == 0 || l.rfind("in ", 0) == 0) named_places.push_back(cand);
      }
      if (!named_places.empty()) candidates = named_places;
    }
  }
  Expression condition = q.condition;
  if (!named && q.items.size() == 1 && !(q.items.front().size() == 1 && q.items.front().front().labels.size() > 1)) {
    // "what did I do while at home": the one named activity is the setting
    condition.insert(condition.end(), q.items.front().begin(), q.items.front().end());
    Expression filtered;
    std::vector<Expression> kept;
    for (const auto& cand : candidates) {
      bool same = false;
      for (const auto& lit : condition) same = same || lit.labels == cand.front().labels;
      if (!same) kept.push_back(cand);
    }
    candidates = kept;
  }
  if (q.items.empty() && !q.unmatched.empty() && q.target_kind.empty() && q.extreme == Extreme::None &&
      !q.says_last && !q.says_first) {
    // "what did I do for exercise": a word we could not place; still rank, but say it
    c.out.facts.push_back({{"type", "unmatched"}, {"words", q.unmatched}});
  }
  if (candidates.empty()) {
    c.out.text = "Nothing of that kind is logged " + scope + ".";
    c.out.facts.push_back({{"type", "ranking"}, {"candidates", json::array()}});
    return;
  }
  bool by_last = q.says_last;
  struct Score {
    Expression e;
    int64_t value;
    int64_t duration;
  };
  std::vector<Score> scores;
  for (const auto& cand : candidates) {
    Expression e = with_condition(cand, condition);
    Intervals eps = c.view.episodes(e);
    int64_t duration = c.view.duration_ms(e);
    int64_t value = duration;
    if (q.by_frequency) value = static_cast<int64_t>(eps.size());
    else if (q.single_stretch) {
      value = 0;
      for (const auto& ep : eps) value = std::max(value, ep.length());
    } else if (by_last) {
      value = eps.empty() ? INT64_MIN : (q.boundary == Boundary::Start ? eps.back().from : eps.back().to);
    } else if (q.says_first) {
      value = eps.empty() ? INT64_MIN : -eps.front().from;
    }
    scores.push_back({e, value, duration});
  }
  bool least = q.extreme == Extreme::Least && !by_last;
  std::vector<Score> pool;
  for (const auto& s : scores) {
    if (s.duration >= kMinute || named) pool.push_back(s);
  }
  if (pool.empty()) {
    c.out.text = "None of " + join_names([&] {
      std::vector<std::string> n;
      for (const auto& s : scores) n.push_back(phrase(s.e));
      return n;
    }()) + " is logged " + scope + ".";
    return;
  }
  std::stable_sort(pool.begin(), pool.end(), [&](const Score& a, const Score& b) {
    if (a.value != b.value) return least ? a.value < b.value : a.value > b.value;
    // ties: what one does before how one sits ("watching TV" over "sitting")
    return kind_rank(classify_label(a.e.front().labels.front()), q.target_kind) <
           kind_rank(classify_label(b.e.front().labels.front()), q.target_kind);
  });
  const Score& best = pool.front();
  json ranking = json::array();
  for (const auto& s : pool) {
    ranking.push_back({{"activity", describe(s.e)}, {"minutes", std::llround(s.duration / 60000.0)}});
  }
  c.out.facts.push_back({{"type", "ranking"},
                         {"by", q.by_frequency ? "episodes" : q.single_stretch ? "longest episode" : by_last ? "latest" : "time"},
                         {"order", least ? "ascending" : "descending"},
                         {"ranking", ranking}});
  cite_episodes(c, best.e, c.view.episodes(best.e));
  std::string measure = q.by_frequency ? std::to_string(best.value) + " times" : format_duration(best.duration);
  std::string text = phrase(best.e) + " (" + measure + ")";
  if (pool.size() > 1) {
    const Score& next = pool[1];
    text += ", then " + phrase(next.e) + " (" +
            (q.by_frequency ? std::to_string(next.value) + " times" : format_duration(next.duration)) + ")";
  }
  c.out.text = text + " " + scope + ".";
}

// ------------------------------------------------------------------ which day

void answer_day(Context& c) {
  const auto& q = c.q;
  auto days = c.view.days_with_data();
  if (days.empty()) {
    c.out.text = "Your log has no entries " + scope_phrase(q.scope) + ".";
    return;
  }
  if (q.items.empty() && !q.unmatched.empty()) {
    unknown_activity(c);
    return;
  }
  Expression e;
  if (!q.items.empty()) e = with_condition(q.items.front(), q.condition);
  bool absence = !e.empty() && std::all_of(e.begin(), e.end(), [](const Literal& l) { return l.negated; });
  bool by_clock = (q.says_last || q.says_first) && !e.empty() && !absence;
  struct DayValue {
    const DaySlice* day;
    int64_t value;
  };
  std::vector<DayValue> values;
  for (const auto* d : days) {
    int64_t v;
    if (e.empty()) {
      v = total_length(c.view.logged(d->windows));
    } else if (absence) {
      v = 0;
      for (const auto& lit : e) v += c.view.duration_ms({Literal{lit.labels, false}}, d->windows);
    } else if (by_clock) {
      // "what day did I eat the latest": compare clock times across days
      Intervals eps = c.view.episodes(e, d->windows);
      if (eps.empty()) {
        v = INT64_MIN;
      } else {
        int64_t t = q.says_last ? eps.back().to : eps.front().from;
        v = t - d->day_from_utc_ms;
        if (q.says_first) v = -v;
      }
    } else if (q.single_stretch) {
      v = 0;
      for (const auto& ep : c.view.episodes(e, d->windows)) v = std::max(v, ep.length());
    } else if (q.by_frequency) {
      v = static_cast<int64_t>(c.view.episodes(e, d->windows).size());
    } else {
      v = c.view.duration_ms(e, d->windows);
    }
    values.push_back({d, v});
  }
  std::vector<const DaySlice*> answer;
  std::string how;
  if (!e.empty() && (absence || q.extreme == Extreme::None) && !by_clock) {
    // "which days did I walk (but not exercise)": days where it holds as a whole
    for (const auto& dv : values) {
      if (day_holds(c.view, e, dv.day->windows)) answer.push_back(dv.day);
    }
    how = "with " + phrase(e);
  } else if (by_clock) {
    int64_t best = INT64_MIN;
    for (const auto& dv : values) best = std::max(best, dv.value);
    for (const auto& dv : values) {
      if (dv.value == best && best != INT64_MIN) answer.push_back(dv.day);
    }
    how = std::string(q.says_last ? "latest " : "earliest ") + phrase(e);
  } else if (q.extreme != Extreme::None) {
    std::vector<DayValue> pool;
    for (const auto& dv : values) {
      if (dv.value > 0 || q.extreme == Extreme::Most) pool.push_back(dv);
    }
    if (pool.empty()) pool = values;
    int64_t best = pool.front().value;
    for (const auto& dv : pool) best = q.extreme == Extreme::Least ? std::min(best, dv.value) : std::max(best, dv.value);
    for (const auto& dv : pool) {
      if (dv.value == best) answer.push_back(dv.day);
    }
    how = std::string(q.extreme == Extreme::Least ? "least " : "most ") + (e.empty() ? "logged time" : phrase(e)) +
          " (" + (q.by_frequency ? std::to_string(best) + " times" : format_duration(best)) + ")";
  } else {
    for (const auto& dv : values) {
      if (dv.value > 0) answer.push_back(dv.day);
    }
    how = e.empty() ? "logged" : "with " + phrase(e);
  }
  json per_day = json::array();
  for (const auto& dv : values) {
    json v = by_clock ? json(nullptr) : json(q.by_frequency ? dv.value : std::llround(dv.value / 60000.0));
    per_day.push_back({{"date", to_iso(dv.day->date)}, {"weekday", day_name(*dv.day)}, {"value", v}});
  }
  std::vector<std::string> names;
  json answer_dates = json::array();
  for (const auto* d : answer) {
    names.push_back(day_name(*d));
    answer_dates.push_back(to_iso(d->date));
  }
  c.out.facts.push_back({{"type", "days"}, {"activity", describe(e)}, {"per_day", per_day},
                         {"unit", q.by_frequency ? "episodes" : "minutes"}, {"answer", answer_dates}});
  if (!e.empty() && !absence) {
    for (const auto* d : answer) cite_episodes(c, e, c.view.episodes(e, d->windows));
  }
  if (names.empty()) {
    c.out.text = "No day " + scope_phrase(q.scope) + " matches: none " + how + ".";
    return;
  }
  c.out.text = join_names(names) + " (" + how + ", of " + std::to_string(days.size()) + " logged days).";
}

}  // namespace

std::string format_duration(int64_t ms) {
  int64_t minutes = std::llround(static_cast<double>(ms) / 60000.0);
  int64_t h = minutes / 60, m = minutes % 60;
  std::string out;
  if (h > 0) out += std::to_string(h) + (h == 1 ? " hour" : " hours");
  if (m > 0 || h == 0) out += (out.empty() ? "" : " ") + std::to_string(m) + (m == 1 ? " minute" : " minutes");
  return out;
}

BuiltinAnswer answer_question(const ParsedQuestion& question, const LogView& view, const std::string& tz,
                              const AnswerOptions& options) {
  Context c{question, view, tz, options, {}};
  c.out.facts.push_back(scope_fact(question.scope, tz));
  json items = json::array();
  for (const auto& item : question.items) items.push_back(describe(item));
  json qf = {{"type", "question"}, {"kind", to_string(question.kind)}, {"activities", items}};
  if (!question.condition.empty()) qf["while"] = describe(question.condition);
  c.out.facts.push_back(qf);
  switch (question.kind) {
    case QuestionKind::Duration: answer_duration(c); break;
    case QuestionKind::Count: answer_count(c); break;
    case QuestionKind::Time: answer_time(c); break;
    case QuestionKind::YesNo: answer_yes_no(c); break;
    case QuestionKind::Activity: answer_activity(c); break;
    case QuestionKind::Day: answer_day(c); break;
    case QuestionKind::Unknown:
      c.out.understood = false;
      c.out.text = "I could not tell what you are asking. I can answer how long, how many times, when, whether, "
                   "which activity and which day, e.g. \"How long did I walk today?\" or \"What did I do most "
                   "this week?\"";
      break;
  }
  return std::move(c.out);
}

}  // namespace imu2clip::assistant
