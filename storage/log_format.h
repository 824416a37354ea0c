#pragma once
// The human-readable log line of the IMU2CLIP paper: "[15:50] Motion: sitting".
#include <cstdint>
#include <string>

#include "storage/records.h"

namespace imu2clip {

// "imu" -> "Motion", "audio" -> "Audio", "video" -> "Video": any other modality capitalised.
std::string modality_display_name(const std::string& modality);

// "+01:05:30": a time since a recording's start (hours grow past 99 when needed).
std::string format_relative_offset(int64_t offset_ms);

// "[15:50] Motion: sitting" with the wall-clock time in `tz`; "[+01:05:30] Motion: sitting"
// when the entry has no wall-clock time (its recording's start is unknown).
std::string format_log_line(const LogEntry& entry, const std::string& tz);

}  // namespace imu2clip
