#pragma once
// "wordvec-v1": a phrase is the mean of its words' vectors from a GloVe / word2vec text file
// (word_vectors.h). The phrase is normalised and split into words, stopwords are dropped (unless
// nothing else is left), and each word is looked up as written, then, when the lemmatiser is
// "wordnet", under its WordNet morphy base forms ("biking" -> "bike"). A word with no vector gets
// a hashed character n-gram vector of the same dimension (fixed seeded +-1 projection) at
// `oov_weight`, so unknown words still match themselves. Word vectors are scaled to unit length
// before averaging; the mean is L2-normalised. dim() is the file's dimension.
//
// params() records the file's path and content hash; rebuilding from params whose hash differs
// from the file now at that path throws Error(Corrupt), so a bundle never silently runs against
// different vectors.
#include <cstdint>
#include <memory>
#include <string>

#include "tagger/text/text_tower.h"

namespace imu2clip {

class WordNet;
class WordVectors;

struct WordVecTowerParams {
  std::string path;            // required
  std::string content_hash;    // "" = not checked (new tower); else must equal WordVectors::hash_file(path)
  int dim = 0;                 // 0 = not checked; else must equal the file's dimension
  uint64_t seed = 20220522;    // of the out-of-vocabulary character n-gram projection
  double oov_weight = 0.3;
  std::string lemmatizer;      // "wordnet", "none", or "" = "wordnet" when WordNet is installed, else "none"

  // Missing keys keep defaults; unknown keys or bad values throw Error(InvalidInput).
  static WordVecTowerParams from_json(const nlohmann::json& params);
  nlohmann::json to_json() const;
};

class WordVecTower final : public TextTower {
 public:
  static constexpr const char* kId = "wordvec-v1";

  // Loads (or reuses) the vectors. Throws Error(InvalidInput) without a path, Error(NotFound) when the
  // file (or, for lemmatizer "wordnet", the WordNet database) is missing, Error(Corrupt) when the file's
  // hash or dimension differs from params.
  explicit WordVecTower(WordVecTowerParams params);
  std::string id() const override { return kId; }
  int dim() const override { return params_.dim; }
  nlohmann::json params() const override;
  std::vector<float> embed(const std::string& text) const override;

 private:
  WordVecTowerParams params_;
  std::shared_ptr<const WordVectors> vectors_;
  std::shared_ptr<const WordNet> wordnet_;   // null for lemmatizer "none"
};

}  // namespace imu2clip
