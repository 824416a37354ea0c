#pragma once
// Torch header. The audio encoder: a compact CNN over log-mel spectrograms projected into the
// IMU encoder's text space, so "Audio: vacuum cleaner running" is scored against the same kind
// of label bank as "Motion: walking".
//   BatchNorm over mel bins (per-band level normalisation, learned on the training data)
//   -> N x [Conv2d 3x3 (no bias) -> BatchNorm2d -> ReLU -> AvgPool 2x2 (not after the last)]
//   -> mean over mel bins -> max + mean over time -> dropout -> Linear -> L2 norm.
// Max over time lets a short event (a drawer, a cupboard door) decide a 5 s window; the mean
// keeps steady sounds (a fridge, an air conditioner) apart from silence.
#include <torch/torch.h>

#include "tagger/model/audio_encoder_options.h"

namespace imu2clip {

class AudioEncoderImpl : public torch::nn::Module {
 public:
  // Throws Error(InvalidInput) when the options are inconsistent.
  explicit AudioEncoderImpl(const AudioEncoderOptions& options);

  // log_mels: [N, n_mels, frames] float (any frames >= what the pooling needs) -> [N, dim] unit rows.
  torch::Tensor forward(const torch::Tensor& log_mels);
  // Everything before the final normalisation (the trainer's loss normalises on its own).
  torch::Tensor embed_unnormalised(const torch::Tensor& log_mels);

  const AudioEncoderOptions& options() const { return options_; }
  int dim() const { return options_.embed_dim; }

 private:
  AudioEncoderOptions options_;
  torch::nn::BatchNorm1d mel_norm_{nullptr};
  std::vector<torch::nn::Conv2d> convs_;
  std::vector<torch::nn::BatchNorm2d> norms_;
  torch::nn::Dropout dropout_{nullptr};
  torch::nn::Linear projection_{nullptr};
};
TORCH_MODULE(AudioEncoder);

}  // namespace imu2clip
