#pragma once
// Per-user request rate limit: one token bucket per user that refills at `rate_per_s` up to
// `burst`; a request takes one token or is refused with the wait until the next one.
// Time is passed in (seconds on a monotonic clock) so tests control it.
#include <cstdint>
#include <mutex>
#include <unordered_map>

namespace imu2clip::server {

struct RateLimit {
  double rate_per_s = 20;  // <= 0 disables the limit
  double burst = 40;
};

class RateLimiter {  // thread-safe
 public:
  explicit RateLimiter(RateLimit limit) : limit_(limit) {}

  struct Decision {
    bool allowed = true;
    double retry_after_s = 0;  // when refused: how long until a token is available
  };
  Decision acquire(int64_t key, double now_s);

  // Monotonic seconds for acquire().
  static double now_s();

 private:
  struct Bucket {
    double tokens;
    double updated_s;
  };
  RateLimit limit_;
  std::mutex mutex_;
  std::unordered_map<int64_t, Bucket> buckets_;
};

}  // namespace imu2clip::server
