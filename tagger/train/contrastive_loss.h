#pragma once
// Torch header. The symmetric InfoNCE loss of IMU2CLIP (paper eq. 5): for a batch of N IMU
// embeddings a_i and their targets b_i (text, or video frames), with in-batch negatives,
//   L = CE(s * a_n b_n^T, P) + CE(s * b_n a_n^T, P^T)     (a_n, b_n: L2-normalised rows,
//                                                            s = 1 / temperature)
// where CE(logits, P) = mean_i ( -log sum_{j in P(i)} softmax_j(logits_i) ).
// Plain InfoNCE has P(i) = {i}. Multi-positive targets (groups given) take P(i) = every j
// with groups[j] == groups[i] (the MIL-NCE form, Miech et al. 2020): class-label data puts
// many windows of one activity in a batch, each with its own randomly templated text vector,
// and plain InfoNCE would push a window away from the other phrasings of its own label. Note
// the averaged soft-target form (-mean_{j in P(i)} log p_ij) would be no remedy: for
// identical target vectors it equals plain InfoNCE exactly. With all groups distinct both
// forms here are identical. The loss of several targets (text and video) is their sum.
#include <torch/torch.h>

namespace imu2clip {

// a, b: [N, D]; logit_scale: scalar tensor (may require grad); groups: [N] int64, or an
// undefined tensor for plain InfoNCE. Returns a scalar.
torch::Tensor symmetric_info_nce(const torch::Tensor& a, const torch::Tensor& b, const torch::Tensor& logit_scale,
                                 const torch::Tensor& groups = {});

// The positive sets P described above as an [N, N] bool mask (symmetric, diagonal true).
torch::Tensor positive_mask(const torch::Tensor& groups);

}  // namespace imu2clip
