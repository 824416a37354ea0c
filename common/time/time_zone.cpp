#include "common/time/time_zone.h"

#include <date/date.h>
#include <date/tz.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>

#include "common/error.h"
#include "common/strings.h"
#include "common/time/tz_database.h"

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

date::local_time<milliseconds> to_local(int64_t utc_ms, const date::time_zone& zone) {
  return zone.to_local(date::sys_time<milliseconds>{milliseconds{utc_ms}});
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

}  // namespace

const date::time_zone& locate_time_zone(const std::string& name) {
  const auto* zone = find_zone(name);
  if (!zone) {
    validate_time_zone(name);  // throws with a helpful message
    throw Error(ErrorKind::Internal, "time zone '" + name + "' validated but cannot be loaded");
  }
  return *zone;
}

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
  return date::format("%H:%M", date::floor<minutes>(to_local(utc_ms, locate_time_zone(tz))));
}

std::string format_local_datetime(int64_t utc_ms, const std::string& tz) {
  return date::format("%Y-%m-%d %H:%M:%S", date::floor<seconds>(to_local(utc_ms, locate_time_zone(tz))));
}

std::string format_iso8601(int64_t utc_ms, const std::string& tz) {
  const auto& zone = locate_time_zone(tz);
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

}  // namespace imu2clip
