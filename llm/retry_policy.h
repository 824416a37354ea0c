#pragma once
// When and how long to wait before retrying a failed LLM request.
#include <cstdint>
#include <optional>
#include <random>
#include <string>

namespace imu2clip::llm {

// HTTP statuses worth another try: 408, 409 (some gateways), 429 and every 5xx.
bool is_retryable_status(int http_status);

// Exponential backoff with "equal jitter": half of base * 2^retry is fixed, the other half random, so
// concurrent clients spread out but never retry immediately. `retry` counts from 0. Capped at max_ms.
int backoff_delay_ms(int retry, int base_ms, int max_ms, std::mt19937& rng);

// A Retry-After header value (delay-seconds or an HTTP-date) as milliseconds from `now_epoch_s`;
// nullopt when absent or unreadable.
std::optional<int64_t> parse_retry_after_ms(const std::string& value, int64_t now_epoch_s);

}  // namespace imu2clip::llm
