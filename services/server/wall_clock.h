#pragma once
// The wall clock the server's schedules run on (retention), injectable so a test drives time
// by hand instead of sleeping for hours (tests/support/manual_clock.h).
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>

#include "common/time/time_zone.h"

namespace imu2clip::server {

class WallClock {  // thread-safe
 public:
  virtual ~WallClock() = default;
  virtual int64_t now_utc_ms() = 0;
  // Blocks (with `lock` on `cv`'s mutex held around each check) until now_utc_ms() >= until_utc_ms
  // or `stop()` is true; the caller notifies `cv` after making stop() true. True when the time came.
  virtual bool wait_until(std::unique_lock<std::mutex>& lock, std::condition_variable& cv, int64_t until_utc_ms,
                          const std::function<bool()>& stop) = 0;
};

class SystemWallClock final : public WallClock {
 public:
  int64_t now_utc_ms() override { return imu2clip::now_utc_ms(); }
  bool wait_until(std::unique_lock<std::mutex>& lock, std::condition_variable& cv, int64_t until_utc_ms,
                  const std::function<bool()>& stop) override {
    // Re-reads the wall clock after every wake-up: a clock set forward runs the pass early, not
    // late, and a spurious wake-up just waits again.
    while (!stop()) {
      const int64_t now = now_utc_ms();
      if (now >= until_utc_ms) return true;
      cv.wait_for(lock, std::chrono::milliseconds(until_utc_ms - now));
    }
    return false;
  }
};

}  // namespace imu2clip::server
