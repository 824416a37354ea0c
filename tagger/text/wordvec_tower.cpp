#include "tagger/text/wordvec_tower.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "tagger/text/sparse_projection.h"
#include "tagger/text/stopwords.h"
#include "tagger/text/text_normalize.h"
#include "tagger/text/tower_params.h"
#include "tagger/text/word_vectors.h"
#include "tagger/text/wordnet.h"

namespace imu2clip {
namespace {

constexpr int kCharNgramMin = 3;
constexpr int kCharNgramMax = 5;
const std::string kTowerId = WordVecTower::kId;

const float* lookup(const WordVectors& vectors, const WordNet* wordnet, std::string_view word) {
  if (const float* v = vectors.find(word)) return v;
  if (!wordnet) return nullptr;
  for (int p = 0; p < kWordNetPosCount; ++p) {
    for (const auto& base : wordnet->morphy(word, static_cast<WordNetPos>(p))) {
      if (const float* v = vectors.find(base)) return v;
    }
  }
  return nullptr;
}

}  // namespace

WordVecTowerParams WordVecTowerParams::from_json(const nlohmann::json& params) {
  WordVecTowerParams p;
  tower_params::require_object(kTowerId, params);
  if (params.is_null()) return p;
  for (const auto& [key, v] : params.items()) {
    if (key == "path") {
      p.path = tower_params::string(kTowerId, key, v);
    } else if (key == "content_hash") {
      p.content_hash = tower_params::string(kTowerId, key, v);
    } else if (key == "dim") {
      p.dim = tower_params::int_in_range(kTowerId, key, v, 0, 65536);
    } else if (key == "seed") {
      p.seed = tower_params::seed(kTowerId, key, v);
    } else if (key == "oov_weight") {
      p.oov_weight = tower_params::number_in_range(kTowerId, key, v, 0.0, 10.0);
    } else if (key == "lemmatizer") {
      p.lemmatizer = tower_params::string(kTowerId, key, v);
      if (p.lemmatizer != "wordnet" && p.lemmatizer != "none" && !p.lemmatizer.empty()) {
        tower_params::fail(kTowerId, key, "must be \"wordnet\" or \"none\", got " + v.dump());
      }
    } else {
      tower_params::fail(kTowerId, key,
                         "unknown parameter (known: path, content_hash, dim, seed, oov_weight, lemmatizer)");
    }
  }
  return p;
}

nlohmann::json WordVecTowerParams::to_json() const {
  return {{"path", path},     {"content_hash", content_hash}, {"dim", dim},
          {"seed", seed},     {"oov_weight", oov_weight},     {"lemmatizer", lemmatizer}};
}

WordVecTower::WordVecTower(WordVecTowerParams params) {
  params_ = WordVecTowerParams::from_json(params.to_json());  // re-validate directly built params
  if (params_.path.empty()) {
    tower_params::fail(kTowerId, "path", "needs the path of a word-vector file (GloVe / word2vec text, optionally .gz)");
  }
  vectors_ = WordVectors::shared(params_.path);
  if (!params_.content_hash.empty() && params_.content_hash != vectors_->content_hash()) {
    throw Error(ErrorKind::Corrupt,
                std::string(kId) + " tower: the word-vector file has changed (content hash " +
                    vectors_->content_hash() + ", expected " + params_.content_hash +
                    "); its embeddings would not match the model. Restore the original file at this path",
                ErrorContext{params_.path, 0, "content_hash"});
  }
  if (params_.dim != 0 && params_.dim != vectors_->dim()) {
    throw Error(ErrorKind::Corrupt,
                std::string(kId) + " tower: the word vectors have " + std::to_string(vectors_->dim()) +
                    " dimensions, params say " + std::to_string(params_.dim),
                ErrorContext{params_.path, 0, "dim"});
  }
  params_.content_hash = vectors_->content_hash();
  params_.dim = vectors_->dim();
  if (params_.lemmatizer.empty()) {
    wordnet_ = WordNet::shared_if_available(WordNet::default_dir());
    params_.lemmatizer = wordnet_ ? "wordnet" : "none";
  } else if (params_.lemmatizer == "wordnet") {
    wordnet_ = WordNet::shared(WordNet::default_dir());
  }
}

std::vector<float> WordVecTower::embed(const std::string& text) const {
  const std::string normalized = fold_to_lowercase_words(text);
  const std::vector<std::string_view> words = split_words(normalized);
  std::vector<std::string_view> content;
  for (auto w : words) {
    if (!is_stopword(w)) content.push_back(w);
  }
  if (content.empty()) content = words;

  const size_t dim = static_cast<size_t>(params_.dim);
  std::vector<double> sum(dim, 0.0);
  for (auto word : content) {
    if (const float* v = lookup(*vectors_, wordnet_.get(), word)) {
      double norm2 = 0.0;
      for (size_t k = 0; k < dim; ++k) norm2 += double(v[k]) * v[k];
      if (!(norm2 > 0.0)) continue;
      const double inv = 1.0 / std::sqrt(norm2);
      for (size_t k = 0; k < dim; ++k) sum[k] += v[k] * inv;
    } else if (params_.oov_weight > 0.0) {
      const auto oov = char_ngram_features(params_.seed, word, kCharNgramMin, kCharNgramMax).project_unit(params_.dim);
      for (size_t k = 0; k < dim; ++k) sum[k] += params_.oov_weight * oov[k];
    }
  }
  double norm2 = 0.0;
  for (double v : sum) norm2 += v * v;
  if (!(norm2 > 0.0)) {  // empty text (or only zero vectors): a fixed vector of its own
    SparseFeatures empty;
    empty.add(SparseFeatures::feature_hash(params_.seed, "empty", ""), 1.0);
    return empty.project_unit(params_.dim);
  }
  const double inv = 1.0 / std::sqrt(norm2);
  std::vector<float> out(dim);
  for (size_t k = 0; k < dim; ++k) out[k] = static_cast<float>(sum[k] * inv);
  return out;
}

nlohmann::json WordVecTower::params() const { return params_.to_json(); }

}  // namespace imu2clip
