#pragma once
// Calendar arithmetic in a user's IANA zone: which local day an instant falls on, where local
// days and wall-clock times start in UTC (DST days are 23 or 25 hours long).
#include <cstdint>
#include <string>

namespace imu2clip {

struct LocalDate {
  int year = 1970;
  unsigned month = 1;  // 1..12
  unsigned day = 1;    // 1..31
  bool operator==(const LocalDate& o) const { return year == o.year && month == o.month && day == o.day; }
  bool operator!=(const LocalDate& o) const { return !(*this == o); }
  bool operator<(const LocalDate& o) const;
  bool operator<=(const LocalDate& o) const { return !(o < *this); }
};

// True when year/month/day form a real date.
bool is_valid_date(int year, unsigned month, unsigned day);
// "2024-03-10" -> {2024, 3, 10}; throws InvalidInput naming `field` for a malformed or
// impossible date.
LocalDate parse_local_date(const std::string& yyyy_mm_dd, const std::string& field = "date");
LocalDate add_days(const LocalDate& date, int days);
// Days from a to b (b - a).
int days_between(const LocalDate& a, const LocalDate& b);
// 0 = Monday .. 6 = Sunday.
int weekday_index(const LocalDate& date);
// "Monday" .. "Sunday".
const char* weekday_name(int index);
// "2015-08-20".
std::string to_iso(const LocalDate& date);

// The local date of the instant in `tz`.
LocalDate local_date_of(int64_t utc_ms, const std::string& tz);
// Minutes since local midnight (wall clock) of the instant in `tz`.
int local_minute_of(int64_t utc_ms, const std::string& tz);
// The UTC instant of local wall-clock time `minute` (0..1440; 1440 = the next midnight) on
// `date`. A time skipped by a DST jump maps to the instant the clocks jumped; a repeated one to
// its first occurrence.
int64_t local_time_utc_ms(const LocalDate& date, int minute, const std::string& tz);
// [start, end) of the local day in UTC ms. When midnight does not exist (a DST jump at 00:00)
// the day starts at the jump. Throws InvalidInput for an impossible date.
int64_t day_start_utc_ms(const LocalDate& date, const std::string& tz);
int64_t day_end_utc_ms(const LocalDate& date, const std::string& tz);

}  // namespace imu2clip
