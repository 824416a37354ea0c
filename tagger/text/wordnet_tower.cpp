#include "tagger/text/wordnet_tower.h"

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/strings.h"
#include "tagger/text/sparse_projection.h"
#include "tagger/text/stopwords.h"
#include "tagger/text/text_normalize.h"
#include "tagger/text/tower_params.h"
#include "tagger/text/wordnet.h"

namespace imu2clip {
namespace {

// Relative weights of the feature families; part of the "wordnet-v1" definition (change the id to change them).
constexpr double kSynonymWeight = 0.3;      // lemmas of a word's own synsets
constexpr double kHypernymDecay = 0.7;      // per hypernym level
constexpr double kDerivationWeight = 0.6;   // derivationally related synsets of the same word
constexpr double kNeighbourWeight = 0.4;    // verb group, similar-to, pertainym, also-see
constexpr double kOtherFormWeight = 0.5;    // a second morphy base form of the same word ("stairs" -> "stair")
constexpr double kKnownCharWeight = 0.2;    // character n-grams of a word WordNet knows
constexpr double kUnknownCharWeight = 1.0;  // ... of a word it does not know
constexpr double kCollocationWeight = 1.0;  // a WordNet collocation spanning adjacent words
constexpr int kCharNgramMin = 3;
constexpr int kCharNgramMax = 5;
constexpr int kMaxCollocationWords = 3;

const std::string kTowerId = WordNetTower::kId;

bool is_neighbour_pointer(const std::string& symbol) {
  return symbol == "$" || symbol == "&" || symbol == "\\" || symbol == "^";
}

class WordFeatures {
 public:
  WordFeatures(const WordNet& wordnet, const WordNetTowerParams& params) : wordnet_(wordnet), params_(params) {}

  // The semantic bag of one lemma form of a word (all its senses in `pos`); false if WordNet does not know it.
  bool add_lemma(WordNetPos pos, const std::string& lemma, double weight, SparseFeatures& out) const {
    const auto& senses = wordnet_.senses(pos, lemma);
    const size_t n = std::min(senses.size(), static_cast<size_t>(params_.max_senses));
    for (size_t rank = 0; rank < n; ++rank) {
      expand(SynsetId{pos, senses[rank]}, weight / static_cast<double>(rank + 1), params_.hypernym_depth, &lemma, out);
    }
    return n > 0;
  }

  // Every part of speech of a (normalised) word; false if WordNet knows none.
  bool add_word(std::string_view word, SparseFeatures& out) const {
    bool known = false;
    for (int p = 0; p < kWordNetPosCount; ++p) {
      const auto pos = static_cast<WordNetPos>(p);
      const auto forms = wordnet_.morphy(word, pos);
      for (size_t i = 0; i < forms.size(); ++i) {
        known |= add_lemma(pos, forms[i], i == 0 ? 1.0 : kOtherFormWeight, out);
      }
    }
    return known;
  }

  uint64_t hash(std::string_view kind, std::string_view name) const {
    return SparseFeatures::feature_hash(params_.seed, kind, name);
  }

 private:
  // Adds synset `id` with `weight`, its hypernyms (decaying) and, for a word's own sense (`lemma` set),
  // its synonyms, derivations and neighbours.
  void expand(SynsetId id, double weight, int depth_left, const std::string* lemma, SparseFeatures& out) const {
    out.add(synset_hash(id), weight);
    const Synset synset = wordnet_.synset(id);
    if (lemma) {
      for (const auto& w : synset.words) out.add(hash("lemma", w), weight * kSynonymWeight);
    }
    for (const auto& ptr : synset.pointers) {
      if (ptr.symbol == "@" || ptr.symbol == "@i") {
        if (depth_left > 0) expand(ptr.target, weight * kHypernymDecay, depth_left - 1, nullptr, out);
        continue;
      }
      if (!lemma) continue;
      const bool from_this_word = ptr.source_word == 0 ||
                                  (ptr.source_word <= static_cast<int>(synset.words.size()) &&
                                   synset.words[static_cast<size_t>(ptr.source_word - 1)] == *lemma);
      if (!from_this_word) continue;
      if (ptr.symbol == "+") {
        expand(ptr.target, weight * kDerivationWeight, depth_left > 0 ? depth_left - 1 : 0, nullptr, out);
      } else if (is_neighbour_pointer(ptr.symbol)) {
        out.add(synset_hash(ptr.target), weight * kNeighbourWeight);
      }
    }
  }

  uint64_t synset_hash(SynsetId id) const {
    return hash("synset", std::string(1, pos_letter(id.pos)) + std::to_string(id.offset));
  }

  const WordNet& wordnet_;
  const WordNetTowerParams& params_;
};

// words[first..first+n) joined with '_', WordNet's spelling of a collocation.
std::string collocation_text(const std::vector<std::string_view>& words, size_t first, size_t n) {
  return join(std::vector<std::string_view>(words.begin() + first, words.begin() + first + n), "_");
}

// Forms of words[first..first+n) under which WordNet might list the collocation: as written, with
// the first word lemmatised ("lying down" -> lie_down) or the last one ("potato chips" -> potato_chip).
std::vector<std::pair<WordNetPos, std::string>> collocation_lemmas(const WordNet& wordnet,
                                                                   const std::vector<std::string_view>& words,
                                                                   size_t first, size_t n) {
  std::vector<std::pair<WordNetPos, std::string>> found;
  auto try_add = [&](WordNetPos pos, const std::string& lemma) {
    if (!wordnet.has_lemma(pos, lemma)) return;
    for (const auto& f : found) {
      if (f.first == pos && f.second == lemma) return;
    }
    found.emplace_back(pos, lemma);
  };
  const std::string verbatim = collocation_text(words, first, n);
  const std::string rest = verbatim.substr(words[first].size());       // "_down"
  const std::string head = verbatim.substr(0, verbatim.size() - words[first + n - 1].size());  // "potato_"
  for (int p = 0; p < kWordNetPosCount; ++p) {
    const auto pos = static_cast<WordNetPos>(p);
    try_add(pos, verbatim);
    for (const auto& base : wordnet.morphy(words[first], pos)) {
      for (int q = 0; q < kWordNetPosCount; ++q) try_add(static_cast<WordNetPos>(q), base + rest);
    }
    for (const auto& base : wordnet.morphy(words[first + n - 1], pos)) try_add(pos, head + base);
  }
  return found;
}

}  // namespace

WordNetTowerParams WordNetTowerParams::from_json(const nlohmann::json& params) {
  WordNetTowerParams p;
  tower_params::require_object(kTowerId, params);
  if (params.is_null()) return p;
  for (const auto& [key, v] : params.items()) {
    if (key == "dim") {
      p.dim = tower_params::int_in_range(kTowerId, key, v, 1, 65536);
    } else if (key == "seed") {
      p.seed = tower_params::seed(kTowerId, key, v);
    } else if (key == "hypernym_depth") {
      p.hypernym_depth = tower_params::int_in_range(kTowerId, key, v, 0, 8);
    } else if (key == "max_senses") {
      p.max_senses = tower_params::int_in_range(kTowerId, key, v, 1, 64);
    } else if (key == "wordnet_dir") {
      p.wordnet_dir = tower_params::string(kTowerId, key, v);
    } else if (key == "wordnet_fingerprint") {
      p.fingerprint = tower_params::string(kTowerId, key, v);
    } else {
      tower_params::fail(kTowerId, key,
                         "unknown parameter (known: dim, seed, hypernym_depth, max_senses, wordnet_dir, "
                         "wordnet_fingerprint)");
    }
  }
  return p;
}

nlohmann::json WordNetTowerParams::to_json() const {
  return {{"dim", dim},
          {"seed", seed},
          {"hypernym_depth", hypernym_depth},
          {"max_senses", max_senses},
          {"wordnet_dir", wordnet_dir},
          {"wordnet_fingerprint", fingerprint}};
}

WordNetTower::WordNetTower(WordNetTowerParams params) {
  params_ = WordNetTowerParams::from_json(params.to_json());  // re-validate directly built params
  const char* env = std::getenv("IMU2CLIP_WORDNET_DIR");
  if (env && *env) params_.wordnet_dir = env;
  if (params_.wordnet_dir.empty()) params_.wordnet_dir = WordNet::default_dir();
  wordnet_ = WordNet::shared(params_.wordnet_dir);
  const std::string actual = tower_params::hex64(wordnet_->fingerprint());
  if (!params_.fingerprint.empty() && params_.fingerprint != actual) {
    throw Error(ErrorKind::Corrupt,
                std::string(kId) + " tower: the WordNet database in " + params_.wordnet_dir + " (fingerprint " +
                    actual + ") is not the one this tower was built with (fingerprint " + params_.fingerprint +
                    "), so its embeddings would not match; install the same wordnet-base version or point "
                    "IMU2CLIP_WORDNET_DIR at a copy of the original database",
                ErrorContext{params_.wordnet_dir, 0, "wordnet_fingerprint"});
  }
  params_.fingerprint = actual;
}

std::vector<float> WordNetTower::embed(const std::string& text) const {
  const std::string normalized = fold_to_lowercase_words(text);
  const std::vector<std::string_view> words = split_words(normalized);
  const WordFeatures features(*wordnet_, params_);
  SparseFeatures phrase;

  std::vector<std::string_view> content;
  for (auto w : words) {
    if (!is_stopword(w)) content.push_back(w);
  }
  if (content.empty()) content = words;  // "up", "on" alone still mean something

  for (auto word : content) {
    SparseFeatures bag;
    const bool known = features.add_word(word, bag);
    if (!known) bag.add(features.hash("word", word), 1.0);
    SparseFeatures token;
    token.add_normalized(bag, 1.0);
    token.add_normalized(char_ngram_features(params_.seed, word, kCharNgramMin, kCharNgramMax),
                         known ? kKnownCharWeight : kUnknownCharWeight);
    phrase.add_normalized(token, 1.0);
  }

  for (size_t first = 0; first < words.size(); ++first) {
    for (size_t n = std::min<size_t>(kMaxCollocationWords, words.size() - first); n >= 2; --n) {
      bool has_content = false;
      for (size_t i = first; i < first + n; ++i) has_content = has_content || !is_stopword(words[i]);
      if (!has_content) continue;
      SparseFeatures bag;
      for (const auto& [pos, lemma] : collocation_lemmas(*wordnet_, words, first, n)) {
        features.add_lemma(pos, lemma, 1.0, bag);
      }
      phrase.add_normalized(bag, kCollocationWeight);
    }
  }

  if (phrase.empty()) phrase.add(features.hash("empty", ""), 1.0);
  return phrase.project_unit(params_.dim);
}

nlohmann::json WordNetTower::params() const { return params_.to_json(); }

}  // namespace imu2clip
