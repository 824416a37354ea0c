#pragma once
// IANA time zones through Howard Hinnant's date/tz (the OS tz database in
// /usr/share/zoneinfo): stored times are UTC ms, and these turn them into what a user reads.
#include <cstdint>
#include <string>

namespace imu2clip {

// True when `name` is a zone in the tz database ("Europe/Berlin", "UTC").
bool is_valid_time_zone(const std::string& name);

// Throws InvalidInput naming the bad zone, an example valid one and a close match if any.
void validate_time_zone(const std::string& name);

// The machine's zone: $TZ, then /etc/timezone, then the /etc/localtime symlink, else "UTC".
std::string system_time_zone();

// system_time_zone() with its sources passed in (tz_env may be null); invalid sources are skipped.
std::string detect_time_zone(const char* tz_env, const std::string& etc_timezone_path,
                             const std::string& etc_localtime_path);

// Milliseconds since the Unix epoch, now.
int64_t now_utc_ms();

// "15:50": local wall-clock hours and minutes of the instant in `tz`.
std::string format_local_hhmm(int64_t utc_ms, const std::string& tz);

// "2024-03-10 01:59:59": local date and time of the instant in `tz`.
std::string format_local_datetime(int64_t utc_ms, const std::string& tz);

// "2024-03-10T03:00:00-07:00" (".123" added when the instant has milliseconds).
std::string format_iso8601(int64_t utc_ms, const std::string& tz);

}  // namespace imu2clip
