#pragma once
// Torch header. The trainable part of IMU2CLIP pretraining: the IMU encoder plus the softmax
// temperature (stored as log(1/T) so it stays positive; learnable or a fixed buffer). The
// text (and video) targets are frozen inputs, never parameters.
#include <torch/torch.h>

#include "tagger/model/imu_encoder.h"

namespace imu2clip {

class ContrastiveModelImpl : public torch::nn::Module {
 public:
  ContrastiveModelImpl(const EncoderOptions& options, double temperature, bool learn_temperature);

  // imu [N, C, T]; text_targets [N, D] (frozen); groups [N] int64 or undefined (plain InfoNCE);
  // video_targets [M, D] with video_index [M] (rows of the batch that have a video frame;
  // both undefined when none). Returns the summed symmetric InfoNCE (contrastive_loss.h).
  torch::Tensor loss(const torch::Tensor& imu, const torch::Tensor& text_targets, const torch::Tensor& groups,
                     const torch::Tensor& video_targets = {}, const torch::Tensor& video_index = {});
  // The same loss from the encoder's unnormalised embeddings [N, D] (a data-parallel step
  // passes the whole global batch's, gathered from every rank).
  torch::Tensor loss_on_embeddings(const torch::Tensor& embedded, const torch::Tensor& text_targets,
                                   const torch::Tensor& groups, const torch::Tensor& video_targets = {},
                                   const torch::Tensor& video_index = {});

  torch::Tensor logit_scale() const;  // 1 / T
  double temperature() const;
  // Keeps T in [0.01, 1] after an optimiser step (CLIP clamps the same way).
  void clamp_temperature();

  ImuEncoder encoder{nullptr};

 private:
  torch::Tensor log_scale_;
};
TORCH_MODULE(ContrastiveModel);

}  // namespace imu2clip
