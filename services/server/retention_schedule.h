#pragma once
// The server's retention: keeps `detail_days` days of detail (windows and their scores, segments,
// tagged raw audio; storage/retention.h says exactly what goes and what stays) and drops the rest,
// once at start and then every `interval_ms` on its own thread. The clock is injected so a test
// moves time by hand.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>

#include "services/server/wall_clock.h"
#include "storage/retention.h"

namespace imu2clip {
class StorePool;
}

namespace imu2clip::server {

struct RetentionOptions {
  int detail_days = 0;                        // >= 1
  int64_t interval_ms = 3600LL * 1000;        // between passes (hourly)
};

struct RetentionStatus {
  int64_t passes = 0;               // passes finished (a failed one counts too)
  int64_t last_cutoff_utc_ms = 0;   // what the last pass dropped was older than this
  RetentionCounts last;             // what the last pass dropped
  RetentionCounts total;            // since the server started
};

class RetentionSchedule {  // thread-safe
 public:
  // Starts the thread; its first pass runs at once. Throws InvalidInput unless detail_days >= 1
  // and interval_ms > 0.
  RetentionSchedule(std::shared_ptr<StorePool> stores, RetentionOptions options, std::shared_ptr<WallClock> clock);
  ~RetentionSchedule();
  RetentionSchedule(const RetentionSchedule&) = delete;
  RetentionSchedule& operator=(const RetentionSchedule&) = delete;

  // Ends a running pass after its current batch, then joins the thread; idempotent.
  void stop();
  RetentionStatus status() const;

 private:
  void loop();
  // One pass at `now_utc_ms`; errors (a busy database, a full disk) are logged and the next
  // pass tries again.
  void run_pass(int64_t now_utc_ms);

  std::shared_ptr<StorePool> stores_;
  RetentionOptions options_;
  std::shared_ptr<WallClock> clock_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::atomic<bool> stop_pass_{false};  // ends a running pass between its batches
  RetentionStatus status_;
  std::thread thread_;
};

}  // namespace imu2clip::server
