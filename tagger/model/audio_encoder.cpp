#include "tagger/model/audio_encoder.h"

#include <string>

#include "common/error.h"

namespace imu2clip {

AudioEncoderImpl::AudioEncoderImpl(const AudioEncoderOptions& options) : options_(options) {
  options_.validate();
  const auto& o = options_;
  mel_norm_ = register_module("mel_norm", torch::nn::BatchNorm1d(o.front_end.n_mels));
  int in = 1;
  for (size_t i = 0; i < o.conv_channels.size(); ++i) {
    const int out = o.conv_channels[i];
    convs_.push_back(register_module(
        "conv" + std::to_string(i),
        torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 3).padding(1).bias(false))));
    norms_.push_back(register_module("norm" + std::to_string(i), torch::nn::BatchNorm2d(out)));
    in = out;
  }
  dropout_ = register_module("dropout", torch::nn::Dropout(o.dropout));
  projection_ = register_module("projection", torch::nn::Linear(2 * in, o.embed_dim));
}

torch::Tensor AudioEncoderImpl::embed_unnormalised(const torch::Tensor& input) {
  const auto& o = options_;
  if (input.dim() != 3 || input.size(1) != o.front_end.n_mels) {
    throw Error(ErrorKind::InvalidInput, "the audio encoder expects log-mels shaped [batch, " +
                                             std::to_string(o.front_end.n_mels) + ", frames], got " +
                                             c10::str(input.sizes()));
  }
  const int64_t pools = static_cast<int64_t>(convs_.size()) - 1;
  if ((input.size(2) >> pools) < 1) {
    throw Error(ErrorKind::InvalidInput, "a window of " + std::to_string(input.size(2)) +
                                             " frames is too short for the audio encoder");
  }
  torch::Tensor x = mel_norm_->forward(input.to(torch::kFloat)).unsqueeze(1);  // [N, 1, mels, frames]
  for (size_t i = 0; i < convs_.size(); ++i) {
    x = torch::relu(norms_[i]->forward(convs_[i]->forward(x)));
    if (i + 1 < convs_.size()) x = torch::avg_pool2d(x, 2);
  }
  x = x.mean(2);                                                       // [N, C, frames']
  x = torch::cat({std::get<0>(x.max(2)), x.mean(2)}, 1);               // [N, 2C]
  return projection_->forward(dropout_->forward(x));
}

torch::Tensor AudioEncoderImpl::forward(const torch::Tensor& x) {
  return torch::nn::functional::normalize(
      embed_unnormalised(x), torch::nn::functional::NormalizeFuncOptions().p(2).dim(1).eps(1e-12));
}

}  // namespace imu2clip
