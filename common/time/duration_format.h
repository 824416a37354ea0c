#pragma once
// How the project writes a length of time: compact for terminals and log lines, in words for
// the assistant's answers.
#include <cstdint>
#include <string>

namespace imu2clip {

// 3723.4 s -> "1h02m03s", 125 -> "2m05s", 7 -> "7s" (rounded to the second); "?" when the
// value is negative or not finite (an ETA not known yet).
std::string format_duration_compact(double seconds);

// 3'900'000 ms -> "1 hour 5 minutes", 60'000 -> "1 minute", 0 -> "0 minutes" (rounded to the
// minute).
std::string format_duration_words(int64_t ms);

}  // namespace imu2clip
