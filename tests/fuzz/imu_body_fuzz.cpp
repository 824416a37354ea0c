// The POST /v1/imu body parsers (services/server/request_parsing.h), JSON and text/csv. The
// first input byte picks the body type and, for CSV, the units the query would declare; the
// rest is the body. A refused body is an HttpError 400 with a message; an accepted one is a
// batch the live queue may store as it is: strictly increasing times from 1970 to 9999 and
// finite values in m/s^2 and rad/s. An accepted CSV body, written back in SI units, parses
// back to the same batch.
#include <cinttypes>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "common/time/instant.h"
#include "fuzz_support.h"
#include "services/server/http_error.h"
#include "services/server/request_parsing.h"

using namespace imu2clip;
using namespace imu2clip::server;

namespace {

constexpr int64_t kStart = 1'440'115'200'000;  // 2015-08-21T00:00:00Z

void check_batch(const ImuSamples& s) {
  FUZZ_CHECK(!s.values.empty());
  FUZZ_CHECK(s.values.size() <= kMaxSamplesPerRequest);
  FUZZ_CHECK(s.t_utc_ms.size() == s.values.size());
  for (size_t i = 0; i < s.t_utc_ms.size(); ++i) {
    FUZZ_CHECK(s.t_utc_ms[i] >= 0 && s.t_utc_ms[i] <= kMaxEpochMs);
    if (i > 0) FUZZ_CHECK(s.t_utc_ms[i] > s.t_utc_ms[i - 1]);
    for (float v : s.values[i]) FUZZ_CHECK(std::isfinite(v));
  }
  FUZZ_CHECK(!s.device.empty() && !s.device_kind.empty());
}

std::string write_csv(const ImuSamples& s) {
  std::string out = "t_ms,ax,ay,az,gx,gy,gz\n";
  char buf[256];
  for (size_t i = 0; i < s.values.size(); ++i) {
    const auto& v = s.values[i];
    std::snprintf(buf, sizeof buf, "%" PRId64 ",%.9g,%.9g,%.9g,%.9g,%.9g,%.9g\n", s.t_utc_ms[i] - kStart, v[0],
                  v[1], v[2], v[3], v[4], v[5]);
    out += buf;
  }
  return out;
}

ImuUnits units_of(uint8_t selector) {
  static const AccelUnit accel[] = {AccelUnit::Auto, AccelUnit::MetersPerSecond2, AccelUnit::G, AccelUnit::Auto};
  static const GyroUnit gyro[] = {GyroUnit::Auto, GyroUnit::RadPerSecond, GyroUnit::DegPerSecond, GyroUnit::Auto};
  return {accel[(selector >> 1) & 3], gyro[(selector >> 3) & 3]};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t selector = data[0];
  const std::string body(reinterpret_cast<const char*>(data + 1), size - 1);
  ImuSamples parsed;
  try {
    if (selector & 1) {
      parsed = parse_imu_csv(body, kStart, "phone", "phone", units_of(selector));
    } else {
      const std::string tz = selector & 2 ? "America/Los_Angeles" : "UTC";
      parsed = parse_imu_json(parse_json_object(body, kMaxImuJsonValues), tz);
    }
  } catch (const HttpError& e) {
    FUZZ_CHECK(e.status() == 400);
    FUZZ_CHECK(*e.what() != '\0');
    return 0;
  }
  check_batch(parsed);

  if (selector & 1) {
    // Units are already SI: declaring them skips the g / deg/s check, which may judge the
    // converted values differently than the declared ones.
    const ImuUnits si{AccelUnit::MetersPerSecond2, GyroUnit::RadPerSecond};
    ImuSamples again;
    try {
      again = parse_imu_csv(write_csv(parsed), kStart, "phone", "phone", si);
    } catch (const HttpError& e) {
      std::fprintf(stderr, "written back: %s\n", e.what());
      FUZZ_CHECK(!"an accepted CSV body written back in SI units is refused");
    }
    FUZZ_CHECK(again.t_utc_ms == parsed.t_utc_ms);
    FUZZ_CHECK(again.values == parsed.values);
  }
  return 0;
}
