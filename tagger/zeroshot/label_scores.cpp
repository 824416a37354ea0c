#include "tagger/zeroshot/label_scores.h"

#include <algorithm>
#include <numeric>

#include "common/error.h"
#include "tagger/text/label_bank.h"

namespace imu2clip {

std::vector<float> cosine_scores(const float* embeddings, int64_t n, const LabelBank& bank) {
  const int64_t L = static_cast<int64_t>(bank.size());
  const int d = bank.dim;
  if (L == 0) throw Error(ErrorKind::InvalidInput, "the model's label bank is empty: nothing to tag with");
  std::vector<float> scores(static_cast<size_t>(n * L));
  for (int64_t i = 0; i < n; ++i) {
    const float* e = embeddings + i * d;
    for (int64_t l = 0; l < L; ++l) {
      const float* b = bank.row(static_cast<size_t>(l));
      float acc = 0.f;
      for (int j = 0; j < d; ++j) acc += e[j] * b[j];
      scores[static_cast<size_t>(i * L + l)] = acc;
    }
  }
  return scores;
}

std::vector<LabelScore> top_k(const float* score_row, int n_labels, int k) {
  k = std::clamp(k, 0, n_labels);
  std::vector<int> idx(static_cast<size_t>(n_labels));
  std::iota(idx.begin(), idx.end(), 0);
  std::partial_sort(idx.begin(), idx.begin() + k, idx.end(), [&](int a, int b) {
    if (score_row[a] != score_row[b]) return score_row[a] > score_row[b];
    return a < b;
  });
  std::vector<LabelScore> out;
  out.reserve(static_cast<size_t>(k));
  for (int i = 0; i < k; ++i) out.push_back({idx[static_cast<size_t>(i)], score_row[idx[static_cast<size_t>(i)]]});
  return out;
}

}  // namespace imu2clip
