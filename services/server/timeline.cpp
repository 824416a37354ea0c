#include "services/server/timeline.h"

#include <algorithm>
#include <map>
#include <tuple>

#include <nlohmann/json.hpp>

#include "common/time/time_zone.h"

namespace imu2clip::server {

std::vector<TimelineSegment> build_timeline(const std::vector<LogEntry>& entries, int64_t day_start_utc_ms,
                                            int64_t day_end_utc_ms, int64_t join_gap_ms) {
  std::vector<const LogEntry*> sorted;
  for (const auto& e : entries)
    if (e.t_utc_ms) sorted.push_back(&e);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const LogEntry* a, const LogEntry* b) { return *a->t_utc_ms < *b->t_utc_ms; });

  std::vector<TimelineSegment> done;
  std::map<std::pair<std::string, std::string>, TimelineSegment> open;  // (modality, label) -> running
  for (const LogEntry* e : sorted) {
    const int64_t start = *e->t_utc_ms, end = start + std::max<int64_t>(0, e->duration_ms);
    if (end < day_start_utc_ms || start >= day_end_utc_ms) continue;
    auto key = std::make_pair(e->modality, e->text);
    auto it = open.find(key);
    if (it != open.end() && start <= it->second.end_utc_ms + join_gap_ms) {
      it->second.end_utc_ms = std::max(it->second.end_utc_ms, end);
      continue;
    }
    if (it != open.end()) done.push_back(it->second);
    open[key] = TimelineSegment{start, end, e->text, e->modality};
  }
  for (auto& [key, segment] : open) done.push_back(segment);
  for (auto& s : done) {
    s.start_utc_ms = std::max(s.start_utc_ms, day_start_utc_ms);
    s.end_utc_ms = std::min(s.end_utc_ms, day_end_utc_ms);
  }
  std::sort(done.begin(), done.end(), [](const TimelineSegment& a, const TimelineSegment& b) {
    return std::tie(a.start_utc_ms, a.modality, a.label) < std::tie(b.start_utc_ms, b.modality, b.label);
  });
  return done;
}

nlohmann::json timeline_json(const std::string& date, const std::string& tz, int64_t day_start_utc_ms,
                             const std::vector<TimelineSegment>& segments) {
  nlohmann::json out = {{"date", date}, {"tz", tz}, {"segments", nlohmann::json::array()}};
  for (const auto& s : segments) {
    out["segments"].push_back({{"start", format_iso8601(s.start_utc_ms, tz)},
                               {"end", format_iso8601(s.end_utc_ms, tz)},
                               {"start_min", (s.start_utc_ms - day_start_utc_ms) / 60000.0},
                               {"end_min", (s.end_utc_ms - day_start_utc_ms) / 60000.0},
                               {"label", s.label},
                               {"modality", s.modality}});
  }
  return out;
}

}  // namespace imu2clip::server
