#include "services/server/log_listing.h"

#include <nlohmann/json.hpp>

#include "common/time/time_zone.h"
#include "storage/log_format.h"

namespace imu2clip::server {

nlohmann::json log_listing_json(const std::vector<LogEntry>& entries, const std::string& tz, bool truncated) {
  nlohmann::json out = {{"tz", tz}, {"entries", nlohmann::json::array()}, {"lines", nlohmann::json::array()}};
  for (const auto& e : entries) {
    out["entries"].push_back({{"t", format_iso8601(*e.t_utc_ms, tz)},
                              {"t_utc_ms", *e.t_utc_ms},
                              {"duration_s", e.duration_ms / 1000.0},
                              {"modality", e.modality},
                              {"text", e.text},
                              {"line", format_log_line(e, tz)}});
  }
  for (const auto& line : merge_log_lines(entries, tz)) {
    out["lines"].push_back(
        {{"t", format_iso8601(*line.t_utc_ms, tz)}, {"t_utc_ms", *line.t_utc_ms}, {"line", line.text}});
  }
  out["truncated"] = truncated;
  return out;
}

}  // namespace imu2clip::server
