#pragma once
// Shared pieces of the batch tests: a small untrained model (real encoder, fast) and canonical
// IMU CSVs written on the spot.
#include <cmath>
#include <fstream>
#include <string>

#include "tagger/model/bundle.h"
#include "tests/support/small_tagging_bundle.h"

namespace imu2clip::test {

// 50 Hz, 5 s windows, a tiny encoder: a minute of data tags in milliseconds.
inline ModelBundle small_batch_bundle() { return small_tagging_bundle(50); }

// `seconds` of 50 Hz data in m/s^2 and rad/s (gravity on z), activity changing every 20 s.
// `accel_scale` 1/9.8 writes the same motion in g; `gap_from_s` leaves out [gap_from_s,
// gap_from_s + gap_s).
inline void write_imu_csv(const std::string& path, double seconds, double accel_scale = 1.0, double gap_from_s = -1,
                          double gap_s = 0) {
  std::ofstream f(path);
  f << "t_ms,ax,ay,az,gx,gy,gz\n";
  const int n = static_cast<int>(std::lround(seconds * 50));
  for (int i = 0; i < n; ++i) {
    const double t = i / 50.0;
    if (gap_from_s >= 0 && t >= gap_from_s && t < gap_from_s + gap_s) continue;
    const int bout = static_cast<int>(t / 20.0) % 3;
    const double osc = (bout == 0 ? 3.0 : bout == 1 ? 0.2 : 6.0) * std::sin(2 * M_PI * (1.0 + bout) * t);
    f << i * 20 << ',' << accel_scale * osc << ',' << accel_scale * 0.5 * osc << ',' << accel_scale * (9.81 + 0.8 * osc)
      << ',' << 0.3 * osc << ",0.01," << 0.1 * osc << '\n';
  }
}

}  // namespace imu2clip::test
