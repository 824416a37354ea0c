#pragma once
// Architecture of the IMU encoder (paper §3.2), torch-free so bundles, the CLI and storage
// can describe a model without pulling libtorch into their translation units.
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace imu2clip {

struct EncoderOptions {
  int in_channels = 6;            // ax ay az gx gy gz
  int input_groups = 2;           // GroupNorm groups on the raw input: accel and gyro apart
  std::vector<int> conv_channels = {32, 32, 32};
  std::vector<int> kernel_sizes = {10, 5, 5};
  int dilation = 2;
  int pool = 3;                   // MaxPool1d kernel (= stride) after every conv block
  bool conv_relu = false;         // the official blocks have no nonlinearity between conv and pool
  int mid_groups = 4;             // GroupNorm groups after the CNN stack
  int gru_hidden = 512;
  int embed_dim = 512;            // text space dimension
  bool project = true;            // Linear(gru_hidden -> embed_dim); false requires equal sizes
  int window_samples = 1000;      // samples per window the bundle declares (5 s at 200 Hz)
  double sample_rate_hz = 200.0;

  // Time steps the GRU sees for a window of `samples` samples; throws Error(InvalidInput)
  // when the CNN stack would shrink the window to nothing.
  int gru_steps(int samples) const;
  // The shortest window that leaves at least one GRU step.
  int min_window_samples() const;
  // Throws Error(InvalidInput) naming the offending field.
  void validate() const;

  // The layer sizes of the official IMU2CLIP encoder (no projection), for like-for-like benchmarks.
  static EncoderOptions official();
};

void to_json(nlohmann::json& j, const EncoderOptions& o);
void from_json(const nlohmann::json& j, EncoderOptions& o);  // missing keys keep defaults

}  // namespace imu2clip
