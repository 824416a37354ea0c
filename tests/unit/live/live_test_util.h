#pragma once
// Shared pieces of the live tests: a small untrained model (fast), synthetic IMU streams cut
// into batches, and the same samples as a canonical CSV for the batch tagger.
#include <cmath>
#include <cstdint>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "storage/log_store.h"
#include "tagger/live/live_tagger.h"
#include "tagger/model/bundle.h"
#include "tests/support/small_tagging_bundle.h"

namespace imu2clip::test {

constexpr int64_t kStreamStartMs = 1700000000000;  // 2023-11-14 22:13:20 UTC

// 50 Hz, 5 s windows, a tiny encoder: every test tags in milliseconds.
inline std::shared_ptr<const ModelBundle> small_live_bundle(double rate_hz = 50) {
  return std::make_shared<ModelBundle>(small_tagging_bundle(rate_hz));
}

struct Stream {
  std::vector<int64_t> t;
  std::vector<std::array<float, 6>> v;
};

// `seconds` of data at `rate_hz` from start_ms: activity bouts that change every ~20 s, so the
// encoder sees different windows and segments have boundaries.
inline Stream synthetic_stream(double seconds, double rate_hz, int64_t start_ms = kStreamStartMs,
                               uint32_t seed = 3) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> noise(0.f, 0.3f);
  Stream s;
  const int64_t n = static_cast<int64_t>(std::llround(seconds * rate_hz));
  for (int64_t k = 0; k < n; ++k) {
    const double t = static_cast<double>(k) / rate_hz;
    const int bout = static_cast<int>(t / 20.0) % 3;
    const double amp = bout == 0 ? 3.0 : bout == 1 ? 0.2 : 6.0;
    const double osc = amp * std::sin(2 * M_PI * (1.0 + bout) * t);
    s.t.push_back(start_ms + static_cast<int64_t>(std::llround(t * 1000.0)));
    s.v.push_back({static_cast<float>(osc) + noise(rng), static_cast<float>(0.5 * osc) + noise(rng),
                   9.81f + static_cast<float>(0.8 * osc) + noise(rng), static_cast<float>(0.3 * osc) + noise(rng),
                   noise(rng), static_cast<float>(0.1 * osc) + noise(rng)});
  }
  return s;
}

// Consecutive batches of `per_batch` samples.
inline std::vector<ImuSamples> batches_of(const Stream& s, size_t per_batch, const std::string& device = "watch") {
  std::vector<ImuSamples> out;
  for (size_t i = 0; i < s.t.size(); i += per_batch) {
    ImuSamples b;
    b.device = device;
    b.device_kind = "watch";
    const size_t e = std::min(s.t.size(), i + per_batch);
    b.t_utc_ms.assign(s.t.begin() + static_cast<long>(i), s.t.begin() + static_cast<long>(e));
    b.values.assign(s.v.begin() + static_cast<long>(i), s.v.begin() + static_cast<long>(e));
    out.push_back(std::move(b));
  }
  return out;
}

// The stream as a canonical CSV with times relative to its first sample.
inline void write_canonical_csv(const std::string& path, const Stream& s) {
  std::ofstream f(path);
  f << "t_ms,ax,ay,az,gx,gy,gz\n";
  f.precision(9);
  for (size_t i = 0; i < s.t.size(); ++i) {
    f << (s.t[i] - s.t.front());
    for (float x : s.v[i]) f << ',' << x;
    f << '\n';
  }
}

inline int64_t make_user(const std::string& db, const std::string& name = "ann", const std::string& tz = "UTC") {
  LogStore store(db);
  return store.users().ensure(name, tz);
}

}  // namespace imu2clip::test
