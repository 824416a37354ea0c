#include "llm/retry_policy.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>

#include "common/strings.h"

namespace imu2clip::llm {

bool is_retryable_status(int http_status) {
  return http_status == 408 || http_status == 409 || http_status == 429 || (http_status >= 500 && http_status < 600);
}

int backoff_delay_ms(int retry, int base_ms, int max_ms, std::mt19937& rng) {
  if (base_ms <= 0) return 0;
  int64_t full = static_cast<int64_t>(base_ms) << std::min(retry, 20);
  full = std::min<int64_t>(full, std::max(max_ms, 0));
  int64_t half = full / 2;
  std::uniform_int_distribution<int64_t> jitter(0, full - half);
  return static_cast<int>(half + jitter(rng));
}

std::optional<int64_t> parse_retry_after_ms(const std::string& value, int64_t now_epoch_s) {
  const std::string v = trim(value);
  if (v.empty()) return std::nullopt;
  if (std::all_of(v.begin(), v.end(), [](unsigned char c) { return std::isdigit(c); })) {
    if (v.size() > 9) return std::nullopt;
    return std::stoll(v) * 1000;
  }
  // Fractional seconds are not in the RFC but some proxies send them.
  char* parse_end = nullptr;
  double seconds = std::strtod(v.c_str(), &parse_end);
  if (parse_end && *parse_end == '\0' && seconds >= 0 && seconds < 1e9) return static_cast<int64_t>(seconds * 1000);
  time_t when = curl_getdate(v.c_str(), nullptr);
  if (when < 0) return std::nullopt;
  return std::max<int64_t>(0, (static_cast<int64_t>(when) - now_epoch_s) * 1000);
}

}  // namespace imu2clip::llm
