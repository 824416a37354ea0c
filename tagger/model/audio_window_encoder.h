#pragma once
// Torch-free face of the audio encoder: callers hand it windows of mono samples at the model's
// rate (or log-mels they computed) and get unit-length embeddings in the text space back.
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "tagger/audio/log_mel.h"
#include "tagger/model/audio_encoder_options.h"
#include "tagger/model/safetensors.h"

namespace imu2clip {

struct ModelBundle;

class AudioWindowEncoder {
 public:
  virtual ~AudioWindowEncoder() = default;
  virtual const AudioEncoderOptions& options() const = 0;
  int dim() const { return options().embed_dim; }
  int window_samples() const { return options().window_samples; }
  const LogMelFrontEnd& front_end() const { return front_end_; }

  // x: n windows of window_samples() samples each, contiguous. out: n * dim() floats, each row
  // L2-normalised. Thread-compatible: one encoder per thread, or serialise calls.
  void encode(const float* x, int64_t n, float* out);
  // log_mels: n windows of [n_mels][frames()] each, as front_end().compute writes them.
  virtual void encode_log_mels(const float* log_mels, int64_t n, float* out) = 0;

 protected:
  explicit AudioWindowEncoder(const LogMelOptions& front_end) : front_end_(front_end) {}

 private:
  LogMelFrontEnd front_end_;
};

// Encoder with an audio bundle's weights; throws Error(InvalidInput) for an IMU bundle.
// `threads` <= 0 keeps the current intra-op setting.
std::unique_ptr<AudioWindowEncoder> make_audio_window_encoder(const ModelBundle& bundle, int threads = 0);
// Explicit weights (torch names, as export_weights writes them); throws naming bad tensors.
std::unique_ptr<AudioWindowEncoder> make_audio_window_encoder(const AudioEncoderOptions& options,
                                                              const std::map<std::string, TensorData>& weights,
                                                              int threads = 0);

}  // namespace imu2clip
