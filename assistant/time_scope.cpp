#include "assistant/time_scope.h"

#include <algorithm>
#include <regex>
#include <set>

#include "assistant/lexicon.h"
#include "common/error.h"

namespace imu2clip::assistant {
namespace {

constexpr int kMinutesPerDay = 24 * 60;

struct MinuteRange {
  int from = 0;  // local minutes after midnight; to may exceed 1440 (night runs into the next day)
  int to = kMinutesPerDay;
  std::vector<std::pair<int, int>> extra;  // more ranges ("night" = late evening + early morning)
};

std::string two(int v) { return (v < 10 ? "0" : "") + std::to_string(v); }
std::string hhmm(int minute) { return two((minute / 60) % 24) + ":" + two(minute % 60); }

// A clock time "3pm", "3:30 p.m.", "15:00", "noon", "midnight"; `bare_ok` also accepts a bare
// hour ("between 13 and 16").
struct ClockTime {
  int hour = 0;
  int minute = 0;
  int meridiem = 0;  // 0 none, 1 am, 2 pm
  bool named = false;  // noon / midnight
};

const char* kClock = R"((noon|midday|midnight|\d{1,2}(?::\d{2})?(?:\s*(?:a\.?m\.?|p\.?m\.?|o'?clock))?))";

std::optional<ClockTime> read_clock(const std::string& text, bool bare_ok) {
  static const std::regex re(R"(^(\d{1,2})(?::(\d{2}))?\s*(a\.?m\.?|p\.?m\.?|o'?clock)?$)");
  if (text == "noon" || text == "midday") return ClockTime{12, 0, 2, true};
  if (text == "midnight") return ClockTime{0, 0, 1, true};
  std::smatch m;
  if (!std::regex_match(text, m, re)) return std::nullopt;
  ClockTime t;
  t.hour = std::stoi(m[1]);
  t.minute = m[2].matched ? std::stoi(m[2]) : 0;
  if (t.hour > 24 || t.minute > 59) return std::nullopt;
  if (m[3].matched) {
    char c = m[3].str()[0];
    t.meridiem = c == 'a' ? 1 : c == 'p' ? 2 : 0;
  }
  if (!bare_ok && !m[2].matched && !m[3].matched) return std::nullopt;
  return t;
}

// Minutes after midnight. Without am/pm, 1..6 o'clock is read as afternoon (people say "at 3"
// for 15:00) and 7..11 as morning; "15:00 pm" keeps its 24-hour reading.
int to_minute(const ClockTime& t, int default_meridiem = 0) {
  int h = t.hour;
  int meridiem = t.meridiem ? t.meridiem : default_meridiem;
  if (h <= 12) {
    if (meridiem == 2 && h < 12) h += 12;
    if (meridiem == 1 && h == 12) h = 0;
    if (meridiem == 0 && h >= 1 && h <= 6) h += 12;
  }
  return (h % 24) * 60 + t.minute;
}

struct ClockWords {
  std::optional<MinuteRange> range;
  std::optional<int> at_minute;
  std::string label;
};

ClockWords find_clock_words(const std::string& s) {
  ClockWords out;
  std::smatch m;
  static const std::regex between(std::string(R"(\b(?:between|from)\s+)") + kClock +
                                  R"(\s*(?:and|to|until|till|-)\s*)" + kClock);
  static const std::regex dash(std::string(R"(\b)") + kClock + R"(\s*-\s*)" + kClock);
  for (const auto* re : {&between, &dash}) {
    if (std::regex_search(s, m, *re)) {
      auto a = read_clock(m[1], true);
      auto b = read_clock(m[2], true);
      std::string after_match = s.substr(m.position(0) + m.length(0));
      static const std::regex unit(R"(^\s*(h|hr|hrs|hour|hours|min|mins|minute|minutes)\b)");
      bool is_duration = std::regex_search(after_match, unit);
      bool clock_like = m[1].str().find(':') != std::string::npos || m[2].str().find(':') != std::string::npos ||
                        (a && a->meridiem) || (b && b->meridiem);
      if (a && b && !is_duration && (clock_like || re == &between)) {
        int bm = to_minute(*b);
        int am = to_minute(*a, a->meridiem ? 0 : b->meridiem);
        if (!a->meridiem && b->meridiem && am >= bm) am = to_minute(*a, 1);
        if (bm == 0 && b->named) bm = kMinutesPerDay;
        if (bm <= am) bm = kMinutesPerDay;  // "from 10pm to 2am": to the end of the day
        out.range = MinuteRange{am, std::min(bm, kMinutesPerDay), {}};
        out.label = hhmm(am) + "-" + hhmm(std::min(bm, kMinutesPerDay));
        return out;
      }
    }
  }
  static const std::regex before(std::string(R"(\b(before|until|till|by)\s+)") + kClock);
  static const std::regex after(std::string(R"(\b(after|since|starting at|starting from|from)\s+)") + kClock);
  if (std::regex_search(s, m, before)) {
    if (auto t = read_clock(m[2], false)) {
      int minute = to_minute(*t);
      out.range = MinuteRange{0, minute == 0 ? kMinutesPerDay : minute, {}};
      out.label = "before " + hhmm(minute);
      return out;
    }
  }
  if (std::regex_search(s, m, after)) {
    if (auto t = read_clock(m[2], false)) {
      int minute = to_minute(*t);
      out.range = MinuteRange{minute, kMinutesPerDay, {}};
      out.label = "after " + hhmm(minute);
      return out;
    }
  }
  static const std::regex at(std::string(R"((?:^|[^\d:/-])\b)") + kClock);
  auto begin = std::sregex_iterator(s.begin(), s.end(), at);
  for (auto it = begin; it != std::sregex_iterator(); ++it) {
    std::string text = (*it)[1];
    // A bare number ("3 hours", "20 minutes", "the 28th") is not a time of day.
    if (auto t = read_clock(text, false)) {
      size_t end = it->position(1) + text.size();
      if (end < s.size() && (s[end] == '/' || s[end] == '-')) continue;  // a date "8/20"
      out.at_minute = to_minute(*t);
      out.label = "at " + hhmm(*out.at_minute);
      return out;
    }
  }
  return out;
}

std::optional<MinuteRange> find_day_part(const std::string& s, std::string& label) {
  static const std::vector<std::tuple<std::regex, std::string, MinuteRange>> parts = {
      {std::regex(R"(\bmornings?\b)"), "morning", {5 * 60, 12 * 60, {}}},
      {std::regex(R"(\bafternoons?\b)"), "afternoon", {12 * 60, 17 * 60, {}}},
      {std::regex(R"(\bevenings?\b)"), "evening", {17 * 60, 21 * 60, {}}},
      {std::regex(R"(\btonight\b)"), "tonight", {18 * 60, kMinutesPerDay, {}}},
      {std::regex(R"(\b(nights?|overnight)\b)"), "night", {21 * 60, kMinutesPerDay, {{0, 5 * 60}}}},
      {std::regex(R"(\bdaytime\b|\bduring the day\b)"), "daytime", {6 * 60, 18 * 60, {}}},
  };
  for (const auto& [re, name, range] : parts) {
    if (std::regex_search(s, re)) {
      label = name;
      return range;
    }
  }
  return std::nullopt;
}

struct DayWords {
  std::vector<LocalDate> dates;  // resolved days (empty = none named)
  bool named = false;
};

std::vector<LocalDate> span(const LocalDate& from, const LocalDate& to) {
  std::vector<LocalDate> out;
  for (LocalDate d = from; d <= to; d = add_days(d, 1)) out.push_back(d);
  return out;
}

// The latest date <= today with this month/day (this year, else the year before).
std::optional<LocalDate> recent_date(int month, int day, const LocalDate& today, std::optional<int> year) {
  if (year) {
    if (!is_valid_date(*year, month, day)) return std::nullopt;
    return LocalDate{*year, static_cast<unsigned>(month), static_cast<unsigned>(day)};
  }
  for (int y = today.year; y >= today.year - 1; --y) {
    if (!is_valid_date(y, month, day)) continue;
    LocalDate d{y, static_cast<unsigned>(month), static_cast<unsigned>(day)};
    if (d <= today) return d;
  }
  if (is_valid_date(today.year, month, day)) return LocalDate{today.year, static_cast<unsigned>(month),
                                                              static_cast<unsigned>(day)};
  return std::nullopt;
}

std::vector<LocalDate> explicit_dates(const std::string& s, const LocalDate& today) {
  std::vector<LocalDate> out;
  auto add = [&](std::optional<LocalDate> d) {
    if (d && std::find(out.begin(), out.end(), *d) == out.end()) out.push_back(*d);
  };
  std::smatch m;
  static const std::regex iso(R"(\b(\d{4})-(\d{1,2})-(\d{1,2})\b)");
  static const std::regex mdy(R"(\b(\d{1,2})[/-](\d{1,2})(?:[/-](\d{2,4}))?\b)");
  static const std::regex month_day(
      R"(\b(jan|january|feb|february|mar|march|apr|april|may|jun|june|jul|july|aug|august|sep|sept|september|oct|october|nov|november|dec|december)\.?\s+(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s*(\d{4}))?)");
  static const std::regex day_month(
      R"(\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(jan|january|feb|february|mar|march|apr|april|may|jun|june|jul|july|aug|august|sep|sept|september|oct|october|nov|november|dec|december)\b(?:,?\s*(\d{4}))?)");
  static const std::regex ordinal(R"(\bthe\s+(\d{1,2})(?:st|nd|rd|th)\b)");
  std::string rest = s;
  for (auto it = std::sregex_iterator(s.begin(), s.end(), iso); it != std::sregex_iterator(); ++it) {
    add(recent_date(std::stoi((*it)[2]), std::stoi((*it)[3]), today, std::stoi((*it)[1])));
    rest.replace(it->position(0), it->length(0), std::string(it->length(0), ' '));
  }
  std::string text = rest;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), mdy); it != std::sregex_iterator(); ++it) {
    std::optional<int> year;
    if ((*it)[3].matched) {
      int y = std::stoi((*it)[3]);
      year = y < 100 ? 2000 + y : y;
    }
    add(recent_date(std::stoi((*it)[1]), std::stoi((*it)[2]), today, year));
    rest.replace(it->position(0), it->length(0), std::string(it->length(0), ' '));
  }
  text = rest;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), month_day); it != std::sregex_iterator(); ++it) {
    std::optional<int> year;
    if ((*it)[3].matched) year = std::stoi((*it)[3]);
    add(recent_date(month_of_word((*it)[1]), std::stoi((*it)[2]), today, year));
    rest.replace(it->position(0), it->length(0), std::string(it->length(0), ' '));
  }
  text = rest;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), day_month); it != std::sregex_iterator(); ++it) {
    std::optional<int> year;
    if ((*it)[3].matched) year = std::stoi((*it)[3]);
    add(recent_date(month_of_word((*it)[2]), std::stoi((*it)[1]), today, year));
    rest.replace(it->position(0), it->length(0), std::string(it->length(0), ' '));
  }
  if (out.empty() && std::regex_search(rest, m, ordinal)) {
    int day = std::stoi(m[1]);
    // "the 28th": the latest 28th on or before today
    for (int back = 0; back < 62; ++back) {
      LocalDate d = add_days(today, -back);
      if (static_cast<int>(d.day) == day) {
        add(d);
        break;
      }
    }
  }
  return out;
}

}  // namespace

int64_t TimeScope::from_utc_ms() const {
  Intervals all = windows();
  return all.empty() ? days.front().day_from_utc_ms : all.front().from;
}

int64_t TimeScope::to_utc_ms() const {
  Intervals all = windows();
  return all.empty() ? days.front().day_from_utc_ms : all.back().to;
}

Intervals TimeScope::windows() const {
  Intervals all;
  for (const auto& d : days) all.insert(all.end(), d.windows.begin(), d.windows.end());
  return normalise(std::move(all));
}

bool asks_about_days(const std::string& s) {
  static const std::regex re(
      R"(\b(which|what)\s+(day|days|weekday|date|dates)\b|\bhow many (different |separate )?days\b|\bevery ?day\b|\beach day\b|\bper (day|week)\b|\ba week\b|\bdaily\b|\bon average\b|\bday of the week\b|\bwhen was the (day|last day)\b|\bdays\b)");
  return std::regex_search(s, re);
}

TimeScope parse_time_scope(const std::string& s, const ScopeContext& ctx) {
  const std::string& tz = ctx.tz;
  const LocalDate today = local_date_of(ctx.as_of_utc_ms - 1, tz);
  std::vector<LocalDate> focus;
  if (ctx.focus_to_utc_ms > ctx.focus_from_utc_ms) {
    focus = span(local_date_of(ctx.focus_from_utc_ms, tz), local_date_of(ctx.focus_to_utc_ms - 1, tz));
    if (focus.size() > 366) focus.erase(focus.begin(), focus.end() - 366);
  }
  auto in_focus = [&](const LocalDate& d) { return std::find(focus.begin(), focus.end(), d) != focus.end(); };
  auto past_days = [&](int n) { return span(add_days(today, -(n - 1)), today); };

  TimeScope scope;
  std::smatch m;
  std::vector<LocalDate> dates;
  std::vector<std::string> notes;

  // Periods of several days.
  static const std::regex past_n(
      R"(\b(?:past|last|previous)\s+(\d+|two|three|four|five|six|seven|eight|nine|ten|fourteen|thirty)\s+days\b)");
  static const std::regex this_week(
      R"(\b(this|the|that|a|whole|entire|past|current)\s+(week|weekdays)\b|\bthese days\b|\bthose days\b|\bthis past week\b|\ball week\b|\bweekly\b|\bper week\b|\bwithin a week\b|\bthroughout the week\b)");
  static const std::regex last_week(R"(\b(last|previous|prior)\s+week\b)");
  static const std::regex weekend(R"(\bweekends?\b)");
  std::vector<LocalDate> period;
  bool period_named = false;
  bool focus_multi = focus.size() > 1;
  if (std::regex_search(s, m, past_n)) {
    static const std::vector<std::string> words = {"zero", "one", "two", "three", "four", "five", "six",
                                                   "seven", "eight", "nine", "ten"};
    std::string n = m[1];
    int days = 0;
    auto w = std::find(words.begin(), words.end(), n);
    if (w != words.end()) days = static_cast<int>(w - words.begin());
    else if (n == "fourteen") days = 14;
    else if (n == "thirty") days = 30;
    else days = std::stoi(n);
    days = std::clamp(days, 1, 366);
    period = past_days(days);
    period_named = true;
  } else if (std::regex_search(s, last_week)) {
    if (focus_multi) {
      period = focus;
    } else {
      // the previous Monday..Sunday week
      LocalDate monday = add_days(today, -weekday_index(today));
      period = span(add_days(monday, -7), add_days(monday, -1));
    }
    period_named = true;
  } else if (std::regex_search(s, this_week)) {
    period = focus_multi ? focus : past_days(7);
    period_named = true;
  }
  std::vector<LocalDate> base = !period.empty() ? period : focus_multi ? focus : past_days(7);

  // Named days.
  for (const auto& d : explicit_dates(s, today)) dates.push_back(d);
  if (dates.empty()) {
    std::vector<Token> tokens = tokenize(s);
    for (size_t i = 0; i < tokens.size(); ++i) {
      int wd = weekday_of_word(tokens[i].word);
      if (wd < 0) continue;
      bool plural = tokens[i].word.size() > 3 && tokens[i].word.back() == 's' &&
                    weekday_of_word(tokens[i].word.substr(0, tokens[i].word.size() - 1)) == wd;
      bool every = i > 0 && (tokens[i - 1].word == "every" || tokens[i - 1].word == "each");
      bool last = i > 0 && (tokens[i - 1].word == "last" || tokens[i - 1].word == "previous");
      std::vector<LocalDate> matches;
      for (const auto& d : base) {
        if (weekday_index(d) == wd) matches.push_back(d);
      }
      if (last && !focus_multi && period.empty()) {
        // "last Tuesday": the latest Tuesday before today
        matches.clear();
        for (int back = 1; back <= 7; ++back) {
          if (weekday_index(add_days(today, -back)) == wd) matches.push_back(add_days(today, -back));
        }
      }
      if (matches.empty()) {
        for (int back = 0; back < 7; ++back) {
          if (weekday_index(add_days(today, -back)) == wd) matches.push_back(add_days(today, -back));
        }
      }
      if (!(plural || every) && matches.size() > 1) {
        size_t pick = matches.size() - 1;
        if (ctx.has_data) {
          for (size_t k = matches.size(); k-- > 0;) {
            if (ctx.has_data(day_start_utc_ms(matches[k], tz), day_end_utc_ms(matches[k], tz))) {
              pick = k;
              break;
            }
          }
        }
        matches = {matches[pick]};
      }
      for (const auto& d : matches) {
        if (std::find(dates.begin(), dates.end(), d) == dates.end()) dates.push_back(d);
      }
    }
  }
  if (dates.empty() && std::regex_search(s, weekend)) {
    for (const auto& d : base) {
      if (weekday_index(d) >= 5) dates.push_back(d);
    }
    if (dates.size() > 2) dates.erase(dates.begin(), dates.end() - 2);
  }
  // Days relative to "now".
  static const std::regex day_before_yesterday(R"(\bday before yesterday\b)");
  static const std::regex yesterday(R"(\byesterday\b|\blast night\b)");
  static const std::regex today_words(
      R"(\btoday\b|\btonight\b|\bthis (morning|afternoon|evening|day)\b|\bthe day\b|\bthat day\b|\bso far\b)");
  if (dates.empty()) {
    std::optional<LocalDate> relative;
    if (std::regex_search(s, day_before_yesterday)) relative = add_days(today, -2);
    else if (std::regex_search(s, yesterday)) relative = add_days(today, -1);
    else if (std::regex_search(s, today_words)) relative = today;
    if (relative) {
      // The period on screen wins over "now": a question about "yesterday" asked over a chart
      // of one day is about that day.
      if (!focus.empty() && !in_focus(*relative)) relative = focus.size() == 1 ? focus.front() : focus.back();
      dates.push_back(*relative);
    }
  }
  scope.named_days = !dates.empty() || period_named;
  if (dates.empty()) {
    if (period_named) dates = period;
    else if (!focus.empty()) dates = focus;
    else if (asks_about_days(s)) dates = past_days(7);
    else dates.push_back(today);
  }
  std::sort(dates.begin(), dates.end());
  static const std::regex every_day(R"(\bevery ?day\b|\beach day\b|\ball days\b|\bdaily\b)");
  scope.every_day = std::regex_search(s, every_day);

  // The part of each day.
  std::string part_label;
  std::optional<MinuteRange> part;
  ClockWords clock = find_clock_words(s);
  if (clock.range) {
    part = clock.range;
    part_label = clock.label;
  } else {
    part = find_day_part(s, part_label);
    if (clock.at_minute) {
      scope.at_minute = clock.at_minute;
      part_label = clock.label;
    }
  }
  static const std::regex last_night(R"(\blast night\b)");
  if (part_label == "tonight" || std::regex_search(s, last_night)) {
    part = MinuteRange{18 * 60, kMinutesPerDay + 6 * 60, {}};  // into the next morning
    part_label = "night";
  }
  scope.day_part = part_label;

  for (const auto& d : dates) {
    DaySlice slice;
    slice.date = d;
    slice.day_from_utc_ms = day_start_utc_ms(d, tz);
    slice.day_to_utc_ms = day_end_utc_ms(d, tz);
    std::vector<std::pair<int, int>> ranges;
    if (part) {
      ranges.push_back({part->from, part->to});
      for (const auto& e : part->extra) ranges.push_back(e);
    } else {
      ranges.push_back({0, kMinutesPerDay});
    }
    Intervals windows;
    for (const auto& [from, to] : ranges) {
      LocalDate from_date = add_days(d, from / kMinutesPerDay);
      LocalDate to_date = add_days(d, to / kMinutesPerDay);
      int64_t a = local_time_utc_ms(from_date, from % kMinutesPerDay, tz);
      int64_t b = local_time_utc_ms(to_date, to % kMinutesPerDay, tz);
      b = std::min(b, ctx.as_of_utc_ms);
      if (a < b) windows.push_back({a, b});
    }
    slice.windows = normalise(windows);
    scope.days.push_back(std::move(slice));
  }

  std::string desc;
  if (dates.size() == 1) {
    desc = std::string(weekday_name(weekday_index(dates.front()))) + " " + to_iso(dates.front());
  } else {
    bool contiguous = days_between(dates.front(), dates.back()) + 1 == static_cast<int>(dates.size());
    if (contiguous) {
      desc = to_iso(dates.front()) + " to " + to_iso(dates.back());
    } else {
      for (const auto& d : dates) desc += (desc.empty() ? "" : ", ") + to_iso(d);
    }
  }
  if (!part_label.empty()) desc += ", " + part_label;
  scope.description = desc;
  return scope;
}

}  // namespace imu2clip::assistant
