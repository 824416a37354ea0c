#pragma once
// GET /v1/logs: a user's log entries as stored (one object per entry, a public contract), and
// the same entries as the lines people read, where what several modalities logged in one minute
// is one line ("[15:45] Motion: walking, Audio: vacuum cleaner running").
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "storage/records.h"

namespace imu2clip::server {

// {"tz", "entries": [{"t", "t_utc_ms", "duration_s", "modality", "text", "line"}],
//  "lines": [{"t", "t_utc_ms", "line"}], "truncated"}. Entries must have t_utc_ms and be in time
// order (as LogEntryStore::between returns them).
nlohmann::json log_listing_json(const std::vector<LogEntry>& entries, const std::string& tz, bool truncated);

}  // namespace imu2clip::server
