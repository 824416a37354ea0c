#pragma once
// A wall clock a test sets and advances by hand (for the server's schedules): no test sleeps
// for the hours a schedule waits.
#include <atomic>
#include <chrono>
#include <cstdint>

#include "services/server/wall_clock.h"

namespace imu2clip::test {

class ManualClock final : public server::WallClock {
 public:
  explicit ManualClock(int64_t now_utc_ms) : now_(now_utc_ms) {}
  int64_t now_utc_ms() override { return now_.load(); }
  void advance_ms(int64_t ms) { now_ += ms; }
  bool wait_until(std::unique_lock<std::mutex>& lock, std::condition_variable& cv, int64_t until_utc_ms,
                  const std::function<bool()>& stop) override {
    // Looks at the hand-set time every few real milliseconds: advance_ms needs no hook into the
    // waiter, and a test never depends on how soon after advancing the waiter notices.
    while (!stop()) {
      if (now_.load() >= until_utc_ms) return true;
      cv.wait_for(lock, std::chrono::milliseconds(5));
    }
    return false;
  }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace imu2clip::test
