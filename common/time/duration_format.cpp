#include "common/time/duration_format.h"

#include <cmath>
#include <cstdio>

namespace imu2clip {

std::string format_duration_compact(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const auto total = static_cast<long long>(std::llround(seconds));
  const long long h = total / 3600, m = (total / 60) % 60, s = total % 60;
  char buf[48];
  if (h > 0) std::snprintf(buf, sizeof buf, "%lldh%02lldm%02llds", h, m, s);
  else if (m > 0) std::snprintf(buf, sizeof buf, "%lldm%02llds", m, s);
  else std::snprintf(buf, sizeof buf, "%llds", s);
  return buf;
}

std::string format_duration_words(int64_t ms) {
  const int64_t minutes = std::llround(static_cast<double>(ms) / 60000.0);
  const int64_t h = minutes / 60, m = minutes % 60;
  std::string out;
  if (h > 0) out += std::to_string(h) + (h == 1 ? " hour" : " hours");
  if (m > 0 || h == 0) out += (out.empty() ? "" : " ") + std::to_string(m) + (m == 1 ? " minute" : " minutes");
  return out;
}

}  // namespace imu2clip
