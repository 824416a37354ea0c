#include "services/server/retention_schedule.h"

#include <spdlog/spdlog.h>

#include <exception>
#include <string>

#include "common/error.h"
#include "storage/store_pool.h"

namespace imu2clip::server {

RetentionSchedule::RetentionSchedule(std::shared_ptr<StorePool> stores, RetentionOptions options,
                                     std::shared_ptr<WallClock> clock)
    : stores_(std::move(stores)), options_(options), clock_(std::move(clock)) {
  if (options_.detail_days < 1) {
    throw Error(ErrorKind::InvalidInput,
                "days of detail to keep must be at least 1 (got " + std::to_string(options_.detail_days) + ")",
                ErrorContext{"", 0, "retain-detail-days"});
  }
  if (options_.interval_ms <= 0) throw Error(ErrorKind::InvalidInput, "the retention interval must be positive");
  if (!clock_) clock_ = std::make_shared<SystemWallClock>();
  thread_ = std::thread([this] { loop(); });
}

RetentionSchedule::~RetentionSchedule() { stop(); }

void RetentionSchedule::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  stop_pass_ = true;
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

RetentionStatus RetentionSchedule::status() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return status_;
}

void RetentionSchedule::loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    // The next pass is due one interval after this one started, by the (injected) wall clock.
    const int64_t now = clock_->now_utc_ms();
    lock.unlock();
    run_pass(now);
    lock.lock();
    clock_->wait_until(lock, wake_, now + options_.interval_ms, [this] { return stopping_; });
  }
}

void RetentionSchedule::run_pass(int64_t now_utc_ms) {
  const int64_t cutoff = retention_cutoff(now_utc_ms, options_.detail_days);
  RetentionCounts dropped;
  try {
    auto store = stores_->borrow();
    dropped = drop_detail_before(store->database(), cutoff, &stop_pass_);
    if (dropped.windows + dropped.segments + dropped.audio_chunks > 0) {
      spdlog::info("retention: dropped detail older than {} days: {} windows, {} segments, {} audio chunks, {} "
                   "pages freed; log lines kept",
                   options_.detail_days, dropped.windows, dropped.segments, dropped.audio_chunks,
                   dropped.pages_freed);
    }
  } catch (const std::exception& e) {
    spdlog::warn("retention: pass failed, retrying at the next one: {}", e.what());
  }
  std::lock_guard<std::mutex> lock(mutex_);
  ++status_.passes;
  status_.last_cutoff_utc_ms = cutoff;
  status_.last = dropped;
  status_.total.windows += dropped.windows;
  status_.total.segments += dropped.segments;
  status_.total.audio_chunks += dropped.audio_chunks;
  status_.total.pages_freed += dropped.pages_freed;
}

}  // namespace imu2clip::server
