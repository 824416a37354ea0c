#pragma once
// "wordnet-v1": a semantic text tower built on the Princeton WordNet database (Debian package
// wordnet-base), no model weights needed. A phrase is normalised and split into words; each word
// is lemmatised with morphy for every part of speech; stopwords are dropped. Each word becomes a
// weighted bag of WordNet features:
//   - its first `max_senses` synsets per lemma, weighted 1/(1+rank) (WordNet orders senses by frequency),
//   - the lemmas of those synsets (synonyms), at 0.3 weight,
//   - hypernyms up to `hypernym_depth` levels, the weight times 0.7 per level,
//   - derivationally related synsets of the same word ("biking" -> bike (v) -> bicycle (n)) and
//     verb-group / similar-to / pertainym neighbours, at lower weight,
//   - character n-grams of the word (small weight for known words, full weight for unknown ones, which
//     also get their own word feature, so a misspelt or novel word still matches itself).
// Each word's bag is scaled to unit length so every content word counts alike; WordNet collocations
// spanning adjacent words ("lying down" -> lie_down, "picking up" -> pick_up, "soccer ball") add
// a bag of their own. The bags are summed, projected to `dim` with a fixed seeded +-1 projection
// (sparse_projection.h) and L2-normalised.
//
// "jogging" is near "running", "eating pasta" near "eating soup", "biking" near "riding a bike".
// Deterministic across runs and machines given the same WordNet files, whose fingerprint is recorded
// in params(); the database is loaded once per process, lazily.
#include <cstdint>
#include <memory>
#include <string>

#include "tagger/text/text_tower.h"

namespace imu2clip {

class WordNet;

struct WordNetTowerParams {
  int dim = 512;
  uint64_t seed = 20220522;
  int hypernym_depth = 3;     // 0 = synsets only
  int max_senses = 3;         // per lemma and part of speech
  std::string wordnet_dir;    // "" = WordNet::default_dir() ($IMU2CLIP_WORDNET_DIR or /usr/share/wordnet)
  std::string fingerprint;    // "" = not checked (new tower); else must match the database (16 hex digits)

  // Missing keys keep defaults; unknown keys or out-of-range values throw Error(InvalidInput).
  static WordNetTowerParams from_json(const nlohmann::json& params);
  nlohmann::json to_json() const;
};

class WordNetTower final : public TextTower {
 public:
  static constexpr const char* kId = "wordnet-v1";

  // Opens (or reuses) the process-wide WordNet database. $IMU2CLIP_WORDNET_DIR, when set, overrides
  // params.wordnet_dir so a bundle made on another machine can point at this machine's copy.
  // Throws Error(NotFound) if the database is missing (install the Debian package wordnet-base) and
  // Error(Corrupt) if params.fingerprint names a different database.
  explicit WordNetTower(WordNetTowerParams params = {});
  std::string id() const override { return kId; }
  int dim() const override { return params_.dim; }
  nlohmann::json params() const override;
  std::vector<float> embed(const std::string& text) const override;

 private:
  WordNetTowerParams params_;
  std::shared_ptr<const WordNet> wordnet_;
};

}  // namespace imu2clip
