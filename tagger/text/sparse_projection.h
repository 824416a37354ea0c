#pragma once
// Weighted sparse features (64-bit feature hashes) and their fixed random projection to a dense
// unit vector. Feature h maps to the +-1 vector whose coordinate k is bit k%64 of the (k/64)-th
// SplitMix64 word seeded with h, so no matrix is stored and the projection is the same on every
// machine. Features are summed in hash order, so the result does not depend on insertion order.
#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace imu2clip {

class SparseFeatures {
 public:
  // Hash of a feature of `kind` (e.g. "synset", "lemma", "char") named `name`, under `seed`.
  static uint64_t feature_hash(uint64_t seed, std::string_view kind, std::string_view name);

  void add(uint64_t feature, double weight) { weights_[feature] += weight; }
  // Adds `other` scaled so that it contributes `weight` times a unit vector (nothing if it is empty).
  void add_normalized(const SparseFeatures& other, double weight);
  bool empty() const { return weights_.empty(); }
  double norm() const;
  const std::unordered_map<uint64_t, double>& weights() const { return weights_; }

  // The projection to `dim` coordinates, L2-normalised; empty when every weight is zero.
  std::vector<float> project_unit(int dim) const;

 private:
  std::unordered_map<uint64_t, double> weights_;
};

// Character n-grams (lengths n_min..n_max) of "<word>", each weight 1, as features of kind "char".
SparseFeatures char_ngram_features(uint64_t seed, std::string_view word, int n_min, int n_max);

}  // namespace imu2clip
