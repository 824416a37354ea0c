#include "storage/log_format.h"

#include <cctype>
#include <cstdio>

#include "common/error.h"
#include "common/time/time_zone.h"

namespace imu2clip {

std::string modality_display_name(const std::string& modality) {
  if (modality == "imu") return "Motion";
  std::string name = modality;
  if (!name.empty()) name[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(name[0])));
  return name;
}

std::string format_relative_offset(int64_t offset_ms) {
  const char* sign = offset_ms < 0 ? "-" : "+";
  int64_t total_s = (offset_ms < 0 ? -offset_ms : offset_ms) / 1000;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%s%02lld:%02lld:%02lld", sign, static_cast<long long>(total_s / 3600),
                static_cast<long long>(total_s / 60 % 60), static_cast<long long>(total_s % 60));
  return buf;
}

std::string format_log_line(const LogEntry& entry, const std::string& tz) {
  std::string when;
  if (entry.t_utc_ms) {
    when = format_local_hhmm(*entry.t_utc_ms, tz);
  } else if (entry.offset_ms) {
    when = format_relative_offset(*entry.offset_ms);
  } else {
    throw Error(ErrorKind::InvalidInput, "log entry " + std::to_string(entry.id) +
                                             " has neither a wall-clock time nor an offset; it cannot be shown");
  }
  return "[" + when + "] " + modality_display_name(entry.modality) + ": " + entry.text;
}

}  // namespace imu2clip
