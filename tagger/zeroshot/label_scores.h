#pragma once
// Zero-shot scoring: cosine similarity of window embeddings against a label bank, and the
// top-k labels per window. Embeddings and bank rows are unit length, so cosine = dot product.
#include <cstdint>
#include <vector>

namespace imu2clip {

struct LabelBank;

struct LabelScore {
  int label = 0;       // index into LabelBank::labels
  float score = 0.f;   // cosine similarity in [-1, 1]
};

// Row-major [n x bank.size()] cosine scores for n embeddings of bank.dim floats each.
std::vector<float> cosine_scores(const float* embeddings, int64_t n, const LabelBank& bank);

// The k best labels of one score row, best first (ties: lower label index first).
std::vector<LabelScore> top_k(const float* score_row, int n_labels, int k);

}  // namespace imu2clip
