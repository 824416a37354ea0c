#pragma once
// "lexical-v1": a deterministic text tower that needs no model or data. A phrase becomes
// hashed features (word unigrams, word n-grams up to `word_ngrams`, character n-grams of
// "<word>" with lengths char_ngrams[0]..char_ngrams[1]), each weighted by sqrt(count)
// (sublinear tf, no idf). Every feature maps to a fixed pseudo-random +-1 vector generated
// from a seeded hash of the feature (SplitMix64), so no matrix is stored. Each feature family
// is summed and L2-normalised, families are combined with fixed weights (unigrams 1, word
// n-grams 0.5, char n-grams 1) and the result is L2-normalised.
//
// It captures spelling overlap, not meaning: "walking" is near "walking upstairs" but not
// near "strolling". Use it for tests, demos and as the frozen space of models trained here.
//
// Empty input (or input with no letters or digits, e.g. "?!") embeds to one fixed unit
// vector of its own, nearly orthogonal to every phrase; it never throws.
#include <cstdint>

#include "tagger/text/text_tower.h"

namespace imu2clip {

struct LexicalTowerParams {
  int dim = 512;
  uint64_t seed = 20220522;
  int char_ngram_min = 3;   // 0 and 0 disable character n-grams
  int char_ngram_max = 5;
  int word_ngrams = 2;      // 1 = unigrams only

  // Missing keys keep defaults; unknown keys or out-of-range values throw Error(InvalidInput).
  static LexicalTowerParams from_json(const nlohmann::json& params);
  nlohmann::json to_json() const;
};

class LexicalTower final : public TextTower {
 public:
  static constexpr const char* kId = "lexical-v1";

  explicit LexicalTower(LexicalTowerParams params = {});
  std::string id() const override { return kId; }
  int dim() const override { return params_.dim; }
  nlohmann::json params() const override;
  std::vector<float> embed(const std::string& text) const override;

 private:
  LexicalTowerParams params_;
};

}  // namespace imu2clip
