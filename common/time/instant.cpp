#include "common/time/instant.h"

#include <date/date.h>
#include <date/tz.h>

#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "common/error.h"
#include "common/strings.h"
#include "common/time/tz_database.h"

namespace imu2clip {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

// About the year 5138; a current time in milliseconds is ~1.7e12, so it cannot pass as seconds.
constexpr double kMaxEpochSeconds = 1e11;
// Digits beyond this cannot be an epoch millisecond value up to the year 9999.
constexpr size_t kMaxEpochDigits = 15;

std::string number_text(double value) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.15g", value);
  return buf;
}

[[noreturn]] void bad_epoch(const std::string& field, const std::string& message) {
  throw Error(ErrorKind::InvalidInput, message, ErrorContext{"", 0, field});
}

[[noreturn]] void bad_time(const std::string& text, const std::string& why) {
  throw Error(ErrorKind::InvalidInput,
              "cannot read time '" + text + "': " + why +
                  "; expected ISO-8601 such as 2024-03-10T15:50:00+01:00 or 2024-03-10T14:50:00Z");
}

// A tiny cursor over the text: fixed-width digit fields and single expected characters.
struct Cursor {
  const std::string& text;
  size_t pos = 0;
  bool at_end() const { return pos >= text.size(); }
  char peek() const { return at_end() ? '\0' : text[pos]; }
  bool digits(int width, int& out) {
    if (pos + width > text.size()) return false;
    int value = 0;
    for (int i = 0; i < width; ++i) {
      char c = text[pos + i];
      if (!std::isdigit(static_cast<unsigned char>(c))) return false;
      value = value * 10 + (c - '0');
    }
    pos += width;
    out = value;
    return true;
  }
  bool accept(char c) {
    if (peek() != c) return false;
    ++pos;
    return true;
  }
};

date::sys_days checked_days(const std::string& text, int y, int m, int d) {
  date::year_month_day ymd{date::year{y}, date::month{static_cast<unsigned>(m)}, date::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) bad_time(text, "there is no such date");
  return date::sys_days{ymd};
}

}  // namespace

int64_t epoch_to_utc_ms(double value, EpochUnit unit, const std::string& field) {
  if (unit == EpochUnit::Seconds) {
    if (!std::isfinite(value) || value < 0)
      bad_epoch(field, number_text(value) + " is not epoch seconds (a finite number >= 0)");
    if (value > kMaxEpochSeconds)
      bad_epoch(field, number_text(value) + " looks like milliseconds; give epoch SECONDS (or an ISO-8601 string)");
    return static_cast<int64_t>(std::llround(value * 1000.0));
  }
  if (!std::isfinite(value) || value != std::floor(value))
    bad_epoch(field, number_text(value) + " is not whole epoch milliseconds");
  if (value < 0 || value > static_cast<double>(kMaxEpochMs))
    bad_epoch(field, number_text(value) +
                         " is not epoch milliseconds between 1970 and 9999 (seconds given by mistake?)");
  return static_cast<int64_t>(value);
}

int64_t parse_instant_utc_ms(const std::string& text, EpochUnit bare_number_unit,
                             const std::optional<std::string>& local_tz, const std::string& field) {
  const std::string trimmed = trim(text);
  if (trimmed.empty()) {
    const char* unit = bare_number_unit == EpochUnit::Seconds ? "epoch seconds" : "epoch milliseconds";
    bad_epoch(field, std::string("the time is empty: give ISO-8601 or ") + unit);
  }
  if (trimmed.find_first_not_of("0123456789") == std::string::npos) {
    if (trimmed.size() > kMaxEpochDigits) bad_epoch(field, trimmed + " is too large for an epoch time");
    return epoch_to_utc_ms(static_cast<double>(std::stoll(trimmed)), bare_number_unit, field);
  }
  try {
    return parse_iso8601_utc_ms(trimmed, local_tz);
  } catch (const Error& e) {
    if (!e.context().field.empty()) throw;  // an unknown zone names "tz", not the time
    throw Error(ErrorKind::InvalidInput, e.message(), ErrorContext{"", 0, field});
  }
}

int64_t parse_iso8601_utc_ms(const std::string& raw, const std::optional<std::string>& local_tz) {
  std::string text = trim(raw);
  Cursor c{text};
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (!(c.digits(4, y) && c.accept('-') && c.digits(2, mo) && c.accept('-') && c.digits(2, d))) {
    bad_time(raw, "the date must be YYYY-MM-DD");
  }
  if (!(c.accept('T') || c.accept('t') || c.accept(' '))) bad_time(raw, "a time (THH:MM) must follow the date");
  if (!(c.digits(2, h) && c.accept(':') && c.digits(2, mi))) bad_time(raw, "the time must be HH:MM[:SS]");
  if (c.accept(':') && !c.digits(2, s)) bad_time(raw, "seconds must be two digits");
  int64_t ms = 0;
  if (c.accept('.') || c.accept(',')) {
    int n = 0;
    int64_t scale = 100;
    while (std::isdigit(static_cast<unsigned char>(c.peek()))) {
      ms += (c.peek() - '0') * scale;  // beyond milliseconds the digits are dropped
      scale /= 10;
      ++c.pos;
      ++n;
    }
    if (n == 0) bad_time(raw, "a fraction of a second needs digits");
  }
  if (h > 23 || mi > 59 || s > 59) bad_time(raw, "hours, minutes or seconds out of range");
  auto days = checked_days(raw, y, mo, d);
  auto local_ms = milliseconds{ms} + std::chrono::hours{h} + minutes{mi} + seconds{s};

  if (c.at_end()) {
    if (!local_tz) bad_time(raw, "it has no UTC offset; add 'Z' for UTC or an offset like +01:00");
    const auto& zone = locate_time_zone(*local_tz);
    auto local = date::local_time<milliseconds>{days.time_since_epoch() + local_ms};
    auto info = zone.get_info(date::floor<seconds>(local));
    if (info.result == date::local_info::nonexistent) {
      bad_time(raw, "that local time does not exist in " + *local_tz +
                        " (clocks jump forward there); add an explicit offset");
    }
    auto utc = local.time_since_epoch() - info.first.offset;
    return std::chrono::duration_cast<milliseconds>(utc).count();
  }

  int64_t offset_s = 0;
  if (c.accept('Z') || c.accept('z')) {
    offset_s = 0;
  } else if (c.peek() == '+' || c.peek() == '-') {
    int sign = c.peek() == '-' ? -1 : 1;
    ++c.pos;
    int oh = 0, om = 0;
    if (!c.digits(2, oh)) bad_time(raw, "the offset must be +HH:MM, +HHMM or +HH");
    if (c.accept(':')) {
      if (!c.digits(2, om)) bad_time(raw, "the offset must be +HH:MM, +HHMM or +HH");
    } else if (!c.at_end() && !c.digits(2, om)) {
      bad_time(raw, "the offset must be +HH:MM, +HHMM or +HH");
    }
    if (oh > 18 || om > 59) bad_time(raw, "the UTC offset is out of range");
    offset_s = sign * (oh * 3600 + om * 60);
  } else {
    bad_time(raw, "unexpected text after the time");
  }
  if (!c.at_end()) bad_time(raw, "unexpected text after the UTC offset");
  auto utc = days.time_since_epoch() + local_ms - seconds{offset_s};
  return std::chrono::duration_cast<milliseconds>(utc).count();
}

}  // namespace imu2clip
