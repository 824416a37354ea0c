#pragma once
// Small helpers shared by the encoder tests (torch header: test-only).
#include <cstdint>
#include <random>
#include <vector>

#include <torch/torch.h>

#include "tagger/model/encoder_options.h"

namespace imu2clip::test {

// Small but complete architecture: fast tests, every code path (projection, padding of
// channels and hidden units that are not multiples of the kernel block sizes).
inline EncoderOptions small_options(int window_samples = 250) {
  EncoderOptions o;
  o.conv_channels = {12, 16};
  o.kernel_sizes = {5, 3};
  o.mid_groups = 4;
  o.gru_hidden = 40;
  o.embed_dim = 24;
  o.project = true;
  o.window_samples = window_samples;
  return o;
}

// Windows that look like IMU data: gravity offset on the accelerometer plus noise.
inline std::vector<float> random_windows(int64_t n, int channels, int samples, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> noise(0.0f, 1.0f);
  std::vector<float> x(static_cast<size_t>(n) * channels * samples);
  for (int64_t w = 0; w < n; ++w)
    for (int c = 0; c < channels; ++c)
      for (int t = 0; t < samples; ++t)
        x[(w * channels + c) * samples + t] = (c == 2 ? 9.81f : 0.0f) + noise(rng);
  return x;
}

inline torch::Tensor as_tensor(std::vector<float>& x, int64_t n, int channels, int samples) {
  return torch::from_blob(x.data(), {n, channels, samples}, torch::kFloat);
}

}  // namespace imu2clip::test
