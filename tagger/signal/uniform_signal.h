#pragma once
// An IMU signal on a uniform time grid, the form the encoder consumes. Samples the resampler
// could not honestly produce (inside a long source gap) are kept in place but marked invalid,
// so time stays index-addressable and nothing is silently invented.
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace imu2clip {

struct UniformSignal {
  double rate_hz = 0;
  double t0_s = 0;                        // time of sample 0 on the series' clock
  std::array<std::vector<float>, 6> ch;   // ax ay az gx gy gz; NaN where invalid
  std::vector<uint8_t> valid;             // 1 = backed by source samples, 0 = inside a gap
  double source_rate_hz = 0;              // median rate of the source series
  bool anti_aliased = false;              // a low-pass filter ran before decimation

  size_t size() const { return valid.size(); }
  double time_of(size_t k) const { return t0_s + static_cast<double>(k) / rate_hz; }
  size_t invalid_count() const;
};

}  // namespace imu2clip
