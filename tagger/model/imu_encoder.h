#pragma once
// Torch header. The IMU encoder of IMU2CLIP (Moon et al. 2022, §3.2) as a torch module:
//   GroupNorm(input_groups) -> [Conv1d(no bias, dilation) (-> ReLU) -> MaxPool1d(pool)] x N
//   -> GroupNorm(mid_groups) -> GRU over time -> last hidden state -> Linear (optional) -> L2 norm.
// Unlike the official code, whose GRU runs over the CNN channels and therefore only accepts
// 1000-sample windows, the GRU here runs over time and accepts any window of at least
// options.min_window_samples() samples.
#include <torch/torch.h>

#include "tagger/model/encoder_options.h"

namespace imu2clip {

class ImuEncoderImpl : public torch::nn::Module {
 public:
  // Throws Error(InvalidInput) when the options are inconsistent.
  explicit ImuEncoderImpl(const EncoderOptions& options);

  // x: [N, in_channels, T] float -> [N, dim()] unit rows. Throws Error(InvalidInput) for a
  // wrong shape or a window too short for the CNN stack.
  torch::Tensor forward(const torch::Tensor& x);
  // Everything before the final normalisation: [N, dim()] (the trainer's contrastive loss
  // normalises on its own).
  torch::Tensor embed_unnormalised(const torch::Tensor& x);

  const EncoderOptions& options() const { return options_; }
  int dim() const { return options_.project ? options_.embed_dim : options_.gru_hidden; }

 private:
  EncoderOptions options_;
  torch::nn::GroupNorm input_norm_{nullptr};
  std::vector<torch::nn::Conv1d> convs_;
  torch::nn::GroupNorm mid_norm_{nullptr};
  torch::nn::GRU gru_{nullptr};
  torch::nn::Linear projection_{nullptr};
};
TORCH_MODULE(ImuEncoder);

}  // namespace imu2clip
