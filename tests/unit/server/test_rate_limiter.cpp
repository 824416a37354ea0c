#include <catch2/catch.hpp>

#include "services/server/rate_limiter.h"

using namespace imu2clip::server;

TEST_CASE("a user gets a burst and then waits for the bucket to refill", "[server][ratelimit]") {
  RateLimiter limiter({2.0, 3.0});
  CHECK(limiter.acquire(1, 100.0).allowed);
  CHECK(limiter.acquire(1, 100.0).allowed);
  CHECK(limiter.acquire(1, 100.0).allowed);
  const auto refused = limiter.acquire(1, 100.0);
  CHECK_FALSE(refused.allowed);
  CHECK(refused.retry_after_s == Approx(0.5));
  // Another user has a bucket of their own.
  CHECK(limiter.acquire(2, 100.0).allowed);
  // Half a second later one token is back, and only one.
  CHECK(limiter.acquire(1, 100.5).allowed);
  CHECK_FALSE(limiter.acquire(1, 100.5).allowed);
  // Long idle never gives more than the burst.
  int allowed = 0;
  for (int i = 0; i < 10; ++i) allowed += limiter.acquire(1, 1000.0).allowed;
  CHECK(allowed == 3);
}

TEST_CASE("a clock going backwards mints no tokens and rate 0 disables the limit", "[server][ratelimit]") {
  RateLimiter limiter({1.0, 1.0});
  CHECK(limiter.acquire(1, 50.0).allowed);
  CHECK_FALSE(limiter.acquire(1, 10.0).allowed);
  CHECK_FALSE(limiter.acquire(1, 50.0).allowed);
  RateLimiter off({0.0, 1.0});
  for (int i = 0; i < 100; ++i) REQUIRE(off.acquire(1, 0.0).allowed);
}
