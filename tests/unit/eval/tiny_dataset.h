#pragma once
// Test helper: a tiny canonical dataset folder (manifest.json, labels.csv, recordings/*.csv)
// with two trivially separable activities, and a small untrained bundle that fits it.
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tagger/model/bundle.h"

namespace imu2clip::test {

constexpr double kTinyRateHz = 50;
constexpr int kTinyWindowSamples = 100;   // 2 s windows
// Each recording: 41 s; "sitting still" for 0..17.98 s, an unlabelled gap, "shaking" for 22..40.98 s.
// Non-overlapping 2 s windows: 9 still + 2 unlabelled + 9 shaking (+ one trailing partial window).
constexpr int kTinyLabelledWindowsPerRecording = 18;

inline void write_tiny_recording(const std::string& path, uint32_t seed) {
  std::ofstream f(path);
  f << "t_ms,ax,ay,az,gx,gy,gz\n";
  uint32_t state = seed * 2654435761u + 1;
  auto noise = [&state] {   // small deterministic sensor noise in [-0.5, 0.5)
    state = state * 1664525u + 1013904223u;
    return static_cast<double>(state >> 8) / static_cast<double>(1u << 24) - 0.5;
  };
  const int n = static_cast<int>(41 * kTinyRateHz);
  for (int i = 0; i < n; ++i) {
    const double t = i / kTinyRateHz;
    const bool shaking = t >= 20;
    // 2.37 Hz is incommensurate with the window and stride, so windows see every phase.
    const double phase = 2 * M_PI * 2.37 * t + seed;
    const double a = shaking ? 6.0 * std::sin(phase) : 0.0, g = shaking ? 3.0 * std::cos(phase) : 0.0;
    // Still: constant readings (a device lying on a table). Shaking: sinusoids plus noise.
    const double k = shaking ? 1.0 : 0.0;
    f << i * 20 << ',' << a + k * 0.05 * noise() << ',' << 0.3 + 0.5 * a + k * 0.05 * noise() << ','
      << 9.8 + k * 0.05 * noise() << ',' << g + k * 0.01 * noise() << ',' << 0.5 * g + k * 0.01 * noise() << ','
      << k * 0.01 * noise() << '\n';
  }
}

// Recordings r0..r3 train, r4 val, r5 r6 test (one subject each).
inline void write_tiny_dataset(const std::string& dir) {
  std::filesystem::create_directories(dir + "/recordings");
  const std::vector<std::string> splits = {"train", "train", "train", "train", "val", "test", "test"};
  nlohmann::json recordings = nlohmann::json::array();
  std::ofstream labels(dir + "/labels.csv");
  labels << "recording_id,start_ms,end_ms,label,source_label\n";
  for (size_t r = 0; r < splits.size(); ++r) {
    const std::string id = "tiny_r" + std::to_string(r);
    write_tiny_recording(dir + "/recordings/" + id + ".csv", static_cast<uint32_t>(r + 1));
    labels << id << ",0,17980,sitting still,STILL\n" << id << ",22000,40980,shaking,SHAKE\n";
    recordings.push_back({{"id", id}, {"subject", "s" + std::to_string(r)}, {"file", "recordings/" + id + ".csv"},
                          {"start_epoch_ms", nullptr}, {"duration_s", 40.98}, {"split", splits[r]},
                          {"n_samples", 2050}, {"max_gap_ms", 20}});
  }
  nlohmann::json manifest = {{"name", "tiny"}, {"stored_rate_hz", kTinyRateHz},
                             {"units", {{"accel", "m/s^2"}, {"gyro", "rad/s"}}},
                             {"label_set", {"sitting still", "shaking"}}, {"recordings", recordings}};
  std::ofstream(dir + "/manifest.json") << manifest.dump(1);
}

inline ModelBundle make_tiny_bundle() {
  EncoderOptions o;
  o.sample_rate_hz = kTinyRateHz;
  o.window_samples = kTinyWindowSamples;
  o.kernel_sizes = {5, 3, 3};
  o.pool = 2;
  o.gru_hidden = 32;
  o.embed_dim = 32;
  return make_untrained_bundle(o, "lexical-v1", {{"dim", 32}}, {"sitting still", "shaking", "walking"}, 7);
}

}  // namespace imu2clip::test
