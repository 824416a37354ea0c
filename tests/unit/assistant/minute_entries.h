#pragma once
// The assistant tests' one way to write a minute-level log: one `modality` entry per minute per
// label, `minutes` long from `start_utc_ms` (minute by minute, each minute's labels in order).
#include <cstdint>
#include <string>
#include <vector>

#include "storage/records.h"

namespace imu2clip::test {

inline std::vector<LogEntry> minute_entries(int64_t user, int64_t start_utc_ms, int minutes,
                                            const std::vector<std::string>& labels, const std::string& modality) {
  std::vector<LogEntry> entries;
  for (int m = 0; m < minutes; ++m) {
    for (const auto& label : labels) {
      LogEntry e;
      e.user_id = user;
      e.t_utc_ms = start_utc_ms + m * 60000LL;
      e.duration_ms = 60000;
      e.modality = modality;
      e.text = label;
      entries.push_back(e);
    }
  }
  return entries;
}

}  // namespace imu2clip::test
