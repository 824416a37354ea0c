#pragma once
// GET /v1/timeline: one local day of a user's log as bars for a 24 h strip. Log lines with the
// same label and modality that touch or overlap merge into one segment (imported logs have a
// line per label per minute; the tagger has one per segment), clipped to the day.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "storage/records.h"

namespace imu2clip::server {

struct TimelineSegment {
  int64_t start_utc_ms = 0;
  int64_t end_utc_ms = 0;
  std::string label;
  std::string modality;
};

// Entries must have t_utc_ms (others are skipped). Gaps up to `join_gap_ms` are bridged.
// Result ordered by start, then modality, then label.
std::vector<TimelineSegment> build_timeline(const std::vector<LogEntry>& entries, int64_t day_start_utc_ms,
                                            int64_t day_end_utc_ms, int64_t join_gap_ms = 1000);

// {"date", "tz", "segments": [{"start", "end", "start_min", "end_min", "label", "modality"}]}
nlohmann::json timeline_json(const std::string& date, const std::string& tz, int64_t day_start_utc_ms,
                             const std::vector<TimelineSegment>& segments);

}  // namespace imu2clip::server
