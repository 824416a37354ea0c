#include "tagger/live/live_validation.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "common/error.h"
#include "tagger/io/imu_series.h"

namespace imu2clip {
namespace {

[[noreturn]] void invalid(const std::string& field, const std::string& message) {
  throw Error(ErrorKind::InvalidInput, message, ErrorContext{"", 0, field});
}

}  // namespace

void validate_live_samples(const ImuSamples& s) {
  if (s.device.empty()) invalid("device", "the device name must not be empty");
  const size_t n = s.t_utc_ms.size();
  if (n == 0) invalid("t_utc_ms", "the batch holds no samples; send at least one");
  if (s.values.size() != n) {
    invalid("samples", "the batch has " + std::to_string(n) + " timestamps but " + std::to_string(s.values.size()) +
                           " sample rows; send one [ax,ay,az,gx,gy,gz] row per timestamp");
  }
  for (size_t i = 0; i < n; ++i) {
    for (int c = 0; c < 6; ++c) {
      const float v = s.values[i][static_cast<size_t>(c)];
      if (!std::isfinite(v)) {
        const std::string field = "samples[" + std::to_string(i) + "][" + std::to_string(c) + "]";
        invalid(field, field + " (" + imu_channel_name(c) + ") is " + (std::isnan(v) ? "NaN" : "infinite") +
                           "; every value must be a finite number (drop or repair the sample)");
      }
    }
    if (i > 0 && s.t_utc_ms[i] <= s.t_utc_ms[i - 1]) {
      const std::string field = "t_utc_ms[" + std::to_string(i) + "]";
      invalid(field, field + " = " + std::to_string(s.t_utc_ms[i]) + " is not after t_utc_ms[" +
                         std::to_string(i - 1) + "] = " + std::to_string(s.t_utc_ms[i - 1]) +
                         "; timestamps must be strictly increasing");
    }
  }
  if (n >= 2) {
    std::vector<int64_t> dt(n - 1);
    for (size_t i = 1; i < n; ++i) dt[i - 1] = s.t_utc_ms[i] - s.t_utc_ms[i - 1];
    auto mid = dt.begin() + static_cast<long>(dt.size() / 2);
    std::nth_element(dt.begin(), mid, dt.end());
    const double rate = 1000.0 / static_cast<double>(*mid);
    if (rate < kLiveMinRateHz || rate > kLiveMaxRateHz) {
      char msg[200];
      std::snprintf(msg, sizeof msg,
                    "sample rate of %.3g Hz (median interval %lld ms) is outside %.0f..%.0f Hz; "
                    "check that t_utc_ms is in milliseconds",
                    rate, static_cast<long long>(*mid), kLiveMinRateHz, kLiveMaxRateHz);
      invalid("t_utc_ms", msg);
    }
  }
}

}  // namespace imu2clip
