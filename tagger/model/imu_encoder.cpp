#include "tagger/model/imu_encoder.h"

#include <string>

#include "common/error.h"

namespace imu2clip {

ImuEncoderImpl::ImuEncoderImpl(const EncoderOptions& options) : options_(options) {
  options_.validate();
  const auto& o = options_;
  input_norm_ = register_module(
      "input_norm", torch::nn::GroupNorm(torch::nn::GroupNormOptions(o.input_groups, o.in_channels)));
  int in = o.in_channels;
  for (size_t i = 0; i < o.conv_channels.size(); ++i) {
    auto conv = torch::nn::Conv1d(torch::nn::Conv1dOptions(in, o.conv_channels[i], o.kernel_sizes[i])
                                      .dilation(o.dilation)
                                      .bias(false));
    convs_.push_back(register_module("conv" + std::to_string(i), conv));
    in = o.conv_channels[i];
  }
  mid_norm_ = register_module("mid_norm",
                              torch::nn::GroupNorm(torch::nn::GroupNormOptions(o.mid_groups, in)));
  gru_ = register_module(
      "gru", torch::nn::GRU(torch::nn::GRUOptions(in, o.gru_hidden).batch_first(true)));
  if (o.project) {
    projection_ = register_module("projection", torch::nn::Linear(o.gru_hidden, o.embed_dim));
  }
}

torch::Tensor ImuEncoderImpl::embed_unnormalised(const torch::Tensor& input) {
  const auto& o = options_;
  if (input.dim() != 3 || input.size(1) != o.in_channels) {
    throw Error(ErrorKind::InvalidInput,
                "the IMU encoder expects windows shaped [batch, " + std::to_string(o.in_channels) +
                    ", samples], got " + c10::str(input.sizes()));
  }
  o.gru_steps(static_cast<int>(input.size(2)));  // throws a clear error for short windows
  torch::Tensor x = input_norm_->forward(input.to(torch::kFloat));
  for (auto& conv : convs_) {
    x = conv->forward(x);
    if (o.conv_relu) x = torch::relu(x);
    x = torch::max_pool1d(x, o.pool);
  }
  x = mid_norm_->forward(x);
  // [N, C, T] -> [N, T, C]: the GRU steps over time, one step per pooled CNN frame.
  x = x.transpose(1, 2).contiguous();
  auto hidden = std::get<1>(gru_->forward(x));  // [layers=1, N, H]
  x = hidden.select(0, 0);
  if (o.project) x = projection_->forward(x);
  return x;
}

torch::Tensor ImuEncoderImpl::forward(const torch::Tensor& x) {
  return torch::nn::functional::normalize(
      embed_unnormalised(x), torch::nn::functional::NormalizeFuncOptions().p(2).dim(1).eps(1e-12));
}

}  // namespace imu2clip
