#include "storage/time_zone.h"

#include <date/date.h>
#include <date/tz.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>

#include "common/error.h"

namespace imu2clip {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

const date::time_zone* find_zone(const std::string& name) {
  if (name.empty()) return nullptr;
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    return nullptr;
  }
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// "berlin" -> "Europe/Berlin", "america/new york" -> "America/New_York": common typos.
std::optional<std::string> close_match(const std::string& name) {
  std::string wanted = lower(name);
  std::replace(wanted.begin(), wanted.end(), ' ', '_');
  std::string wanted_city = wanted.substr(wanted.rfind('/') == std::string::npos ? 0 : wanted.rfind('/') + 1);
  std::optional<std::string> by_city;
  auto consider = [&](const std::string& candidate) -> bool {
    std::string c = lower(candidate);
    if (c == wanted) return true;
    auto slash = c.rfind('/');
    if (!by_city && slash != std::string::npos && c.substr(slash + 1) == wanted_city) by_city = candidate;
    return false;
  };
  try {
    const auto& db = date::get_tzdb();
    for (const auto& zone : db.zones) {
      if (consider(zone.name())) return zone.name();
    }
#if !USE_OS_TZDB  // with the OS database, links such as "US/Pacific" are listed as zones
    for (const auto& link : db.links) {
      if (consider(link.name())) return link.name();
    }
#endif
  } catch (const std::exception&) {
    return std::nullopt;
  }
  return by_city;
}

const date::time_zone& zone_or_throw(const std::string& name) {
  const auto* zone = find_zone(name);
  if (!zone) {
    validate_time_zone(name);  // throws with a helpful message
    throw Error(ErrorKind::Internal, "time zone '" + name + "' validated but cannot be loaded");
  }
  return *zone;
}

date::local_time<milliseconds> to_local(int64_t utc_ms, const date::time_zone& zone) {
  return zone.to_local(date::sys_time<milliseconds>{milliseconds{utc_ms}});
}

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

// "/usr/share/zoneinfo/Europe/Berlin" -> "Europe/Berlin".
std::string strip_zoneinfo_prefix(const std::string& path) {
  const std::string marker = "zoneinfo/";
  auto pos = path.rfind(marker);
  return pos == std::string::npos ? path : path.substr(pos + marker.size());
}

std::string offset_text(seconds offset) {
  auto total = offset.count();
  char sign = total < 0 ? '-' : '+';
  total = total < 0 ? -total : total;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%c%02lld:%02lld", sign, static_cast<long long>(total / 3600),
                static_cast<long long>(total / 60 % 60));
  return buf;
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

bool is_valid_time_zone(const std::string& name) { return find_zone(name) != nullptr; }

void validate_time_zone(const std::string& name) {
  if (is_valid_time_zone(name)) return;
  std::string message = "unknown time zone '" + name + "'";
  if (auto match = close_match(name)) message += "; did you mean '" + *match + "'?";
  else message += ".";
  message += " Use an IANA name such as 'Europe/Berlin', 'America/Los_Angeles' or 'UTC'";
  throw Error(ErrorKind::InvalidInput, message, ErrorContext{"", 0, "tz"});
}

std::string detect_time_zone(const char* tz_env, const std::string& etc_timezone_path,
                             const std::string& etc_localtime_path) {
  if (tz_env && *tz_env) {
    std::string name = tz_env;
    if (name[0] == ':') name.erase(0, 1);  // POSIX: ":Europe/Berlin" names a tz file
    name = strip_zoneinfo_prefix(name);
    if (is_valid_time_zone(name)) return name;
    spdlog::warn("ignoring TZ='{}': not an IANA time zone name", tz_env);
  }
  if (std::ifstream in(etc_timezone_path); in) {
    std::string line;
    std::getline(in, line);
    line = trim(line);
    if (is_valid_time_zone(line)) return line;
  }
  std::error_code ec;
  auto target = std::filesystem::read_symlink(etc_localtime_path, ec);
  if (!ec) {
    std::string name = strip_zoneinfo_prefix(target.string());
    if (is_valid_time_zone(name)) return name;
  }
  return "UTC";
}

std::string system_time_zone() {
  return detect_time_zone(std::getenv("TZ"), "/etc/timezone", "/etc/localtime");
}

int64_t now_utc_ms() {
  return std::chrono::duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string format_local_hhmm(int64_t utc_ms, const std::string& tz) {
  return date::format("%H:%M", date::floor<minutes>(to_local(utc_ms, zone_or_throw(tz))));
}

std::string format_local_datetime(int64_t utc_ms, const std::string& tz) {
  return date::format("%Y-%m-%d %H:%M:%S", date::floor<seconds>(to_local(utc_ms, zone_or_throw(tz))));
}

std::string format_iso8601(int64_t utc_ms, const std::string& tz) {
  const auto& zone = zone_or_throw(tz);
  auto sys = date::sys_time<milliseconds>{milliseconds{utc_ms}};
  auto local = zone.to_local(sys);
  std::string out = date::format("%Y-%m-%dT%H:%M:%S", date::floor<seconds>(local));
  auto ms = (local - date::floor<seconds>(local)).count();
  if (ms != 0) {
    char buf[8];
    std::snprintf(buf, sizeof buf, ".%03lld", static_cast<long long>(ms));
    out += buf;
  }
  return out + offset_text(zone.get_info(date::floor<seconds>(sys)).offset);
}

int64_t local_midnight_utc_ms(int year, unsigned month, unsigned day, const std::string& tz) {
  date::year_month_day ymd{date::year{year}, date::month{month}, date::day{day}};
  if (!ymd.ok()) {
    throw Error(ErrorKind::InvalidInput, "there is no date " + std::to_string(year) + "-" + std::to_string(month) +
                                             "-" + std::to_string(day) + "; use a real calendar date");
  }
  const auto& zone = zone_or_throw(tz);
  auto midnight = date::local_days{ymd};
  auto info = zone.get_info(midnight);
  date::sys_seconds start;
  switch (info.result) {
    case date::local_info::unique:
    case date::local_info::ambiguous:  // the day starts at the first of the two midnights
      start = date::sys_seconds{midnight.time_since_epoch()} - info.first.offset;
      break;
    case date::local_info::nonexistent:  // clocks jumped over midnight: the day starts at the jump
      start = info.second.begin;
      break;
  }
  return std::chrono::duration_cast<milliseconds>(start.time_since_epoch()).count();
}

int64_t local_midnight_utc_ms(const std::string& yyyy_mm_dd, const std::string& tz) {
  std::string text = trim(yyyy_mm_dd);
  Cursor c{text};
  int y = 0, m = 0, d = 0;
  if (!(c.digits(4, y) && c.accept('-') && c.digits(2, m) && c.accept('-') && c.digits(2, d) && c.at_end())) {
    throw Error(ErrorKind::InvalidInput, "cannot read date '" + yyyy_mm_dd + "'; expected YYYY-MM-DD such as 2024-03-10");
  }
  return local_midnight_utc_ms(y, static_cast<unsigned>(m), static_cast<unsigned>(d), tz);
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
    const auto& zone = zone_or_throw(*local_tz);
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
