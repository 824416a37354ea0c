#pragma once
// Architecture of the audio encoder and the front end it was trained on: a compact CNN over
// log-mel spectrograms (PANNs-style blocks) projected into the same text space as the IMU
// encoder. Torch-free, so bundles, the tagger and the CLI can describe an audio model without
// libtorch. The front end and the gate are part of the model: a bundle trained on 64 mels at
// 16 kHz must be fed exactly that.
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "tagger/audio/audio_gate.h"
#include "tagger/audio/log_mel.h"

namespace imu2clip {

struct AudioEncoderOptions {
  // 16 kHz, 32 ms frames every 16 ms, 64 mels from 50 Hz to 8 kHz: a 5 s window is 313 frames,
  // fine enough for a drawer's click and half the encoder's cost of a 10 ms hop.
  LogMelOptions front_end = {16000, 512, 512, 256, 64, 50, 8000, 1e-6};
  AudioGateOptions gate;          // windows it calls quiet are logged "quiet", never encoded
  int window_samples = 80000;     // 5 s at 16 kHz, the IMU encoder's window length
  // One block = Conv2d 3x3 -> BatchNorm -> ReLU -> AvgPool 2x2 (the last block does not pool).
  std::vector<int> conv_channels = {32, 64, 128, 256};
  int embed_dim = 512;            // text space dimension
  double dropout = 0.3;           // before the projection, training only

  double sample_rate_hz() const { return front_end.sample_rate_hz; }
  int frames() const;             // log-mel frames of one window
  // Throws Error(InvalidInput) naming the offending field.
  void validate() const;
};

void to_json(nlohmann::json& j, const AudioEncoderOptions& o);
void from_json(const nlohmann::json& j, AudioEncoderOptions& o);  // missing keys keep defaults

}  // namespace imu2clip
