#pragma once
// One IMU recording in memory, on the recording's own (possibly irregular) clock, plus what
// the reader had to do to get there. Readers never invent samples; they drop, sort or keep
// NaN and say so in ReadReport so the CLI can tell the user.
#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace imu2clip {

// Channel order everywhere downstream: the model's input order.
enum ImuChannel : int { kAx = 0, kAy, kAz, kGx, kGy, kGz, kImuChannels };
const char* imu_channel_name(int channel);  // "ax" .. "gz"

struct ImuSeries {
  std::string source;                   // path the series was read from
  std::vector<double> t_s;              // seconds from the recording's first sample, strictly increasing
  std::array<std::vector<float>, 6> ch; // ax ay az (m/s^2), gx gy gz (rad/s); NaN = value unknown

  size_t size() const { return t_s.size(); }
  double duration_s() const { return t_s.empty() ? 0.0 : t_s.back() - t_s.front(); }
};

struct ReadReport {
  std::string format;                     // "canonical" or "ego4d"
  int64_t rows = 0;                       // data lines seen (blank lines not counted)
  int64_t rows_kept = 0;
  std::map<std::string, int64_t> dropped; // reason -> count, e.g. "null canonical timestamp"
  bool resorted = false;                  // rows were out of time order and got stably sorted
  int64_t nonfinite_values = 0;           // canonical format: NaN/inf/empty values kept as NaN
  double time_offset_ms = 0;              // file timestamp of the first kept sample (t_s == 0)
  std::string time_column;                // header name of the column that gave the time base
  std::vector<std::string> warnings;

  int64_t rows_dropped() const;
  // One line for logs: "ego4d: 1000 rows, 990 kept; dropped: duplicate timestamp 10; resorted".
  std::string summary() const;
};

}  // namespace imu2clip
