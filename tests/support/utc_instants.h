#pragma once
// UTC instants for tests, built with date/date.h independently of the code under test.
#include <date/date.h>

#include <chrono>
#include <cstdint>

namespace imu2clip::test {

inline int64_t utc_ms(int y, unsigned mo, unsigned d, int h = 0, int mi = 0, int s = 0) {
  auto tp = date::sys_days{date::year{y} / mo / d} + std::chrono::hours{h} + std::chrono::minutes{mi} +
            std::chrono::seconds{s};
  return std::chrono::duration_cast<std::chrono::milliseconds>(tp.time_since_epoch()).count();
}

constexpr int64_t kHourMs = 3600 * 1000;

}  // namespace imu2clip::test
