#include "services/server/rate_limiter.h"

#include <algorithm>
#include <chrono>

namespace imu2clip::server {

RateLimiter::Decision RateLimiter::acquire(int64_t key, double now_s) {
  if (limit_.rate_per_s <= 0) return {};
  const double burst = std::max(1.0, limit_.burst);
  std::lock_guard<std::mutex> lock(mutex_);
  auto [it, inserted] = buckets_.try_emplace(key, Bucket{burst, now_s});
  Bucket& bucket = it->second;
  // A clock that goes backwards (tests, or a caller mixing clocks) must not mint tokens.
  const double elapsed = std::max(0.0, now_s - bucket.updated_s);
  bucket.tokens = std::min(burst, bucket.tokens + elapsed * limit_.rate_per_s);
  bucket.updated_s = std::max(bucket.updated_s, now_s);
  if (bucket.tokens >= 1.0) {
    bucket.tokens -= 1.0;
    return {};
  }
  return {false, (1.0 - bucket.tokens) / limit_.rate_per_s};
}

double RateLimiter::now_s() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace imu2clip::server
