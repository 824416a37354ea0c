#include "tagger/text/sparse_projection.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "tagger/text/stable_hash.h"

namespace imu2clip {

uint64_t SparseFeatures::feature_hash(uint64_t seed, std::string_view kind, std::string_view name) {
  return Fnv1a64().update_u64(seed).update_field(kind).update_field(name).digest();
}

double SparseFeatures::norm() const {
  std::vector<std::pair<uint64_t, double>> sorted(weights_.begin(), weights_.end());
  std::sort(sorted.begin(), sorted.end());
  double sum = 0.0;
  for (const auto& [h, w] : sorted) sum += w * w;
  return std::sqrt(sum);
}

void SparseFeatures::add_normalized(const SparseFeatures& other, double weight) {
  const double n = other.norm();
  if (!(n > 0.0)) return;
  std::vector<std::pair<uint64_t, double>> sorted(other.weights_.begin(), other.weights_.end());
  std::sort(sorted.begin(), sorted.end());
  for (const auto& [h, w] : sorted) weights_[h] += w * (weight / n);
}

std::vector<float> SparseFeatures::project_unit(int dim) const {
  std::vector<std::pair<uint64_t, double>> sorted(weights_.begin(), weights_.end());
  std::sort(sorted.begin(), sorted.end());
  const size_t n = static_cast<size_t>(dim);
  std::vector<double> acc(n, 0.0);
  for (const auto& [h, w] : sorted) {
    if (w == 0.0) continue;
    uint64_t state = h;
    uint64_t bits = 0;
    for (size_t k = 0; k < n; ++k) {
      if (k % 64 == 0) bits = splitmix64(state);
      acc[k] += ((bits >> (k % 64)) & 1u) ? -w : w;
    }
  }
  double norm2 = 0.0;
  for (double v : acc) norm2 += v * v;
  if (!(norm2 > 0.0)) return {};
  const double inv = 1.0 / std::sqrt(norm2);
  std::vector<float> out(n);
  for (size_t k = 0; k < n; ++k) out[k] = static_cast<float>(acc[k] * inv);
  return out;
}

SparseFeatures char_ngram_features(uint64_t seed, std::string_view word, int n_min, int n_max) {
  SparseFeatures f;
  const std::string padded = "<" + std::string(word) + ">";
  const std::string_view p(padded);
  for (int len = n_min; len <= n_max; ++len) {
    for (size_t s = 0; s + static_cast<size_t>(len) <= p.size(); ++s) {
      f.add(SparseFeatures::feature_hash(seed, "char", p.substr(s, static_cast<size_t>(len))), 1.0);
    }
  }
  return f;
}

}  // namespace imu2clip
