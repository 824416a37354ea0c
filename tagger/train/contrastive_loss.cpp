#include "tagger/train/contrastive_loss.h"

#include <limits>

#include "common/error.h"

namespace imu2clip {
namespace F = torch::nn::functional;

torch::Tensor positive_mask(const torch::Tensor& groups) { return groups.unsqueeze(1).eq(groups.unsqueeze(0)); }

namespace {

// mean_i ( logsumexp_j logits_ij - logsumexp_{j in P(i)} logits_ij )
torch::Tensor multi_positive_ce(const torch::Tensor& logits, const torch::Tensor& mask) {
  const auto positives = logits.masked_fill(mask.logical_not(), -std::numeric_limits<float>::infinity());
  return (torch::logsumexp(logits, 1) - torch::logsumexp(positives, 1)).mean();
}

}  // namespace

torch::Tensor symmetric_info_nce(const torch::Tensor& a, const torch::Tensor& b, const torch::Tensor& logit_scale,
                                 const torch::Tensor& groups) {
  if (a.dim() != 2 || a.sizes() != b.sizes())
    throw Error(ErrorKind::Internal, "contrastive loss needs two [N, D] tensors of the same shape");
  const auto an = F::normalize(a.to(torch::kFloat), F::NormalizeFuncOptions().dim(1));
  const auto bn = F::normalize(b.to(torch::kFloat), F::NormalizeFuncOptions().dim(1));
  const auto logits = logit_scale * torch::matmul(an, bn.t());
  if (!groups.defined()) {
    const auto labels = torch::arange(a.size(0), torch::TensorOptions().dtype(torch::kLong).device(a.device()));
    return F::cross_entropy(logits, labels) + F::cross_entropy(logits.t(), labels);
  }
  // Group equality is symmetric, so the mask serves both directions.
  const auto mask = positive_mask(groups.to(a.device()));
  return multi_positive_ce(logits, mask) + multi_positive_ce(logits.t(), mask);
}

}  // namespace imu2clip
