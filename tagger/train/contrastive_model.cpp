#include "tagger/train/contrastive_model.h"

#include <cmath>

#include "tagger/train/contrastive_loss.h"

namespace imu2clip {

ContrastiveModelImpl::ContrastiveModelImpl(const EncoderOptions& options, double temperature, bool learn) {
  encoder = register_module("encoder", ImuEncoder(options));
  auto init = torch::full({}, std::log(1.0 / temperature), torch::kFloat);
  log_scale_ = learn ? register_parameter("log_scale", init) : register_buffer("log_scale", init);
}

torch::Tensor ContrastiveModelImpl::logit_scale() const { return log_scale_.exp(); }

double ContrastiveModelImpl::temperature() const { return 1.0 / logit_scale().item<double>(); }

void ContrastiveModelImpl::clamp_temperature() {
  torch::NoGradGuard no_grad;
  log_scale_.clamp_(0.0, std::log(100.0));
}

torch::Tensor ContrastiveModelImpl::loss(const torch::Tensor& imu, const torch::Tensor& text_targets,
                                         const torch::Tensor& groups, const torch::Tensor& video_targets,
                                         const torch::Tensor& video_index) {
  return loss_on_embeddings(encoder->embed_unnormalised(imu), text_targets, groups, video_targets, video_index);
}

torch::Tensor ContrastiveModelImpl::loss_on_embeddings(const torch::Tensor& embedded, const torch::Tensor& text_targets,
                                                       const torch::Tensor& groups, const torch::Tensor& video_targets,
                                                       const torch::Tensor& video_index) {
  const auto scale = logit_scale();
  auto total = symmetric_info_nce(embedded, text_targets, scale, groups);
  // Video frames are distinct targets: plain InfoNCE over the windows that have one.
  if (video_targets.defined() && video_targets.size(0) >= 2)
    total = total + symmetric_info_nce(embedded.index_select(0, video_index), video_targets, scale);
  return total;
}

}  // namespace imu2clip
