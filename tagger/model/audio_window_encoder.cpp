#include "tagger/model/audio_window_encoder.h"

#include <torch/torch.h>

#include <ATen/Parallel.h>

#include <cstring>
#include <vector>

#include "common/error.h"
#include "tagger/model/audio_encoder.h"
#include "tagger/model/bundle.h"
#include "tagger/model/weights_io.h"

namespace imu2clip {
namespace {

class ModuleAudioEncoder final : public AudioWindowEncoder {
 public:
  ModuleAudioEncoder(const AudioEncoderOptions& options, const std::map<std::string, TensorData>& weights)
      : AudioWindowEncoder(options.front_end), module_(options) {
    import_weights(*module_, weights);
    module_->eval();
  }
  const AudioEncoderOptions& options() const override { return module_->options(); }
  void encode_log_mels(const float* log_mels, int64_t n, float* out) override {
    if (n == 0) return;
    c10::InferenceMode guard;
    const auto& o = module_->options();
    auto input = torch::from_blob(const_cast<float*>(log_mels), {n, o.front_end.n_mels, o.frames()}, torch::kFloat);
    auto result = module_->forward(input).contiguous();
    std::memcpy(out, result.data_ptr<float>(), sizeof(float) * static_cast<size_t>(n * dim()));
  }

 private:
  AudioEncoder module_;
};

}  // namespace

void AudioWindowEncoder::encode(const float* x, int64_t n, float* out) {
  const int64_t samples = window_samples();
  const size_t per_window = static_cast<size_t>(options().front_end.n_mels) * static_cast<size_t>(options().frames());
  // Bounded batches keep the log-mel buffer small whatever n the caller passes.
  constexpr int64_t kChunk = 64;
  std::vector<float> mels;
  for (int64_t b = 0; b < n; b += kChunk) {
    const int64_t m = std::min(kChunk, n - b);
    mels.resize(static_cast<size_t>(m) * per_window);
    for (int64_t i = 0; i < m; ++i)
      front_end_.compute(x + (b + i) * samples, samples, mels.data() + static_cast<size_t>(i) * per_window);
    encode_log_mels(mels.data(), m, out + b * dim());
  }
}

std::unique_ptr<AudioWindowEncoder> make_audio_window_encoder(const AudioEncoderOptions& options,
                                                              const std::map<std::string, TensorData>& weights,
                                                              int threads) {
  if (threads > 0) at::set_num_threads(threads);
  return std::make_unique<ModuleAudioEncoder>(options, weights);
}

std::unique_ptr<AudioWindowEncoder> make_audio_window_encoder(const ModelBundle& bundle, int threads) {
  if (bundle.modality != "audio")
    throw Error(ErrorKind::InvalidInput,
                "model " + bundle.model_id + " is a " + bundle.modality + " model, not an audio model",
                ErrorContext{"", 0, "model"});
  return make_audio_window_encoder(bundle.audio, bundle.encoder_weights, threads);
}

}  // namespace imu2clip
