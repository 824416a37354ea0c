#pragma once
// A synthetic IMU recording for benchmarks: a day of alternating activities (still, walking,
// running) with gravity, gait harmonics and sensor noise, written as the canonical CSV.
// Benchmarks need a realistic file size and parse cost, not realistic labels.
#include <cstdint>
#include <string>

namespace imu2clip::cli {

// Writes hours * 3600 * rate_hz rows of t_ms,ax,ay,az,gx,gy,gz; returns the row count.
int64_t write_synthetic_recording(const std::string& path, double hours, double rate_hz, uint64_t seed);

}  // namespace imu2clip::cli
