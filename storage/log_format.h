#pragma once
// The human-readable log line of the IMU2CLIP paper: "[15:50] Motion: sitting", and the lines
// people read when several modalities are logged: "[15:45] Motion: walking, Audio: vacuum cleaner
// running".
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/records.h"

namespace imu2clip {

// "imu" -> "Motion", "audio" -> "Audio", "video" -> "Video": any other modality capitalised.
std::string modality_display_name(const std::string& modality);

// "+01:05:30": a time since a recording's start (hours grow past 99 when needed).
std::string format_relative_offset(int64_t offset_ms);

// "[15:50] Motion: sitting" with the wall-clock time in `tz`; "[+01:05:30] Motion: sitting"
// when the entry has no wall-clock time (its recording's start is unknown).
std::string format_log_line(const LogEntry& entry, const std::string& tz);

// One line of merge_log_lines: the entries that start in the same displayed minute.
struct MergedLogLine {
  std::string text;                 // "[15:45] Motion: walking, Audio: vacuum cleaner running"
  std::optional<int64_t> t_utc_ms;  // the first entry's times
  std::optional<int64_t> offset_ms;
  int64_t duration_ms = 0;      // from the first entry's start to the latest end
  std::vector<size_t> entries;  // indices into the merged list, in time order
};

// Renders a time-ordered list of entries (as the log store returns them) as one line per
// displayed time: entries that start in the same displayed minute ("[15:45]"; "[+01:05:30]"
// for entries without a wall-clock time) share a line, one part per modality, Motion first,
// then Audio, then the others in order of appearance. Within a modality the texts keep their
// time order, joined by " then " ("walking then standing"), or by " and " when they start at
// the same instant (an imported minute log's "eating and sitting and at home"); a text equal to
// the one before it is said once. Throws like format_log_line for an entry with no time.
std::vector<MergedLogLine> merge_log_lines(const std::vector<LogEntry>& entries, const std::string& tz);

}  // namespace imu2clip
