#include "common/time/local_calendar.h"

#include <cctype>
#include <chrono>

#include <date/date.h>
#include <date/tz.h>

#include "common/error.h"
#include "common/strings.h"
#include "common/time/tz_database.h"

namespace imu2clip {
namespace {

using std::chrono::milliseconds;

date::sys_days to_days(const LocalDate& d) {
  return date::sys_days{date::year{d.year} / date::month{d.month} / date::day{d.day}};
}

LocalDate from_days(date::sys_days days) {
  date::year_month_day ymd{days};
  return {static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day())};
}

}  // namespace

bool LocalDate::operator<(const LocalDate& o) const {
  if (year != o.year) return year < o.year;
  if (month != o.month) return month < o.month;
  return day < o.day;
}

bool is_valid_date(int year, unsigned month, unsigned day) {
  return date::year_month_day{date::year{year}, date::month{month}, date::day{day}}.ok();
}

LocalDate parse_local_date(const std::string& yyyy_mm_dd, const std::string& field) {
  const std::string text = trim(yyyy_mm_dd);
  auto digits_at = [&](size_t from, size_t n) {
    for (size_t i = from; i < from + n; ++i)
      if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
    return true;
  };
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !digits_at(0, 4) || !digits_at(5, 2) || !digits_at(8, 2)) {
    throw Error(ErrorKind::InvalidInput, "cannot read date '" + yyyy_mm_dd + "'; expected YYYY-MM-DD such as 2024-03-10",
                ErrorContext{"", 0, field});
  }
  LocalDate date{std::stoi(text.substr(0, 4)), static_cast<unsigned>(std::stoi(text.substr(5, 2))),
                 static_cast<unsigned>(std::stoi(text.substr(8, 2)))};
  if (!is_valid_date(date.year, date.month, date.day)) {
    throw Error(ErrorKind::InvalidInput, "there is no date '" + text + "'; use a real calendar date",
                ErrorContext{"", 0, field});
  }
  return date;
}

LocalDate add_days(const LocalDate& d, int days) { return from_days(to_days(d) + date::days{days}); }

int days_between(const LocalDate& a, const LocalDate& b) { return (to_days(b) - to_days(a)).count(); }

int weekday_index(const LocalDate& d) {
  unsigned iso = date::weekday{to_days(d)}.iso_encoding();  // 1 = Monday .. 7 = Sunday
  return static_cast<int>(iso) - 1;
}

const char* weekday_name(int index) {
  static const char* names[] = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};
  return names[((index % 7) + 7) % 7];
}

std::string to_iso(const LocalDate& d) { return date::format("%F", to_days(d)); }

LocalDate local_date_of(int64_t utc_ms, const std::string& tz) {
  auto local = locate_time_zone(tz).to_local(date::sys_time<milliseconds>{milliseconds{utc_ms}});
  return from_days(date::sys_days{date::floor<date::days>(local).time_since_epoch()});
}

int local_minute_of(int64_t utc_ms, const std::string& tz) {
  auto local = locate_time_zone(tz).to_local(date::sys_time<milliseconds>{milliseconds{utc_ms}});
  auto since_midnight = local - date::floor<date::days>(local);
  return static_cast<int>(std::chrono::duration_cast<std::chrono::minutes>(since_midnight).count());
}

int64_t local_time_utc_ms(const LocalDate& d, int minute, const std::string& tz) {
  const auto& z = locate_time_zone(tz);
  auto local = date::local_seconds{to_days(d).time_since_epoch()} + std::chrono::minutes{minute};
  auto info = z.get_info(local);
  std::chrono::seconds utc;
  switch (info.result) {
    case date::local_info::unique:
    case date::local_info::ambiguous:
      utc = local.time_since_epoch() - info.first.offset;
      break;
    default:  // nonexistent: the instant the clocks jumped (end of the earlier period)
      utc = info.first.end.time_since_epoch();
      break;
  }
  return std::chrono::duration_cast<milliseconds>(utc).count();
}

int64_t day_start_utc_ms(const LocalDate& d, const std::string& tz) {
  if (!is_valid_date(d.year, d.month, d.day)) {
    throw Error(ErrorKind::InvalidInput, "there is no date " + std::to_string(d.year) + "-" + std::to_string(d.month) +
                                             "-" + std::to_string(d.day) + "; use a real calendar date");
  }
  return local_time_utc_ms(d, 0, tz);
}

int64_t day_end_utc_ms(const LocalDate& d, const std::string& tz) { return day_start_utc_ms(add_days(d, 1), tz); }

}  // namespace imu2clip
