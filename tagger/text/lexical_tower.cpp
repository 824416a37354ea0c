#include "tagger/text/lexical_tower.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "tagger/text/stable_hash.h"
#include "tagger/text/text_normalize.h"

namespace imu2clip {
namespace {

constexpr double kUnigramWeight = 1.0;
constexpr double kWordNgramWeight = 0.5;
constexpr double kCharNgramWeight = 1.0;

[[noreturn]] void bad_param(const std::string& key, const std::string& what) {
  throw Error(ErrorKind::InvalidInput, std::string(LexicalTower::kId) + " tower: " + what,
              ErrorContext{"", 0, key});
}

int int_param(const nlohmann::json& v, const std::string& key, int lo, int hi) {
  if (!v.is_number_integer() || v.get<int64_t>() < lo || v.get<int64_t>() > hi) {
    bad_param(key, "must be an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " + v.dump());
  }
  return v.get<int>();
}

// Row b holds the +-1 signs encoded by the 8 bits of byte b (bit set -> -1), so a feature's
// 512 signs are added 8 at a time in exact integer arithmetic.
struct SignTable {
  int32_t signs[256][8];
  SignTable() {
    for (int b = 0; b < 256; ++b) {
      for (int i = 0; i < 8; ++i) signs[b][i] = ((b >> i) & 1) ? -1 : 1;
    }
  }
};
const SignTable kSigns;

// Adds the +-1 vector of one feature: coordinate k takes bit k%64 of the (k/64)-th SplitMix64
// word seeded with the feature hash. `acc` is padded to a multiple of 64.
void add_signs(uint64_t feature_hash, int32_t* acc, size_t padded_dim) {
  uint64_t state = feature_hash;
  for (size_t d = 0; d < padded_dim; d += 64) {
    const uint64_t bits = splitmix64(state);
    for (int byte = 0; byte < 8; ++byte) {
      const int32_t* s = kSigns.signs[(bits >> (8 * byte)) & 0xffu];
      int32_t* a = acc + d + 8 * byte;
      for (int i = 0; i < 8; ++i) a[i] += s[i];
    }
  }
}

// Collects feature hashes of one family. Features seen c times weigh sqrt(c); their sign
// vectors are summed exactly in integers per distinct c, so the result does not depend on
// feature order and is identical everywhere.
class FeatureFamily {
 public:
  FeatureFamily(uint64_t seed, std::string_view kind) {
    base_.update_u64(seed);
    base_.update_field(kind);
  }
  void add(std::string_view a) { hashes_.push_back(Fnv1a64(base_).update(a).digest()); }
  void add_joined(const std::vector<std::string_view>& words, size_t first, size_t n) {
    Fnv1a64 h(base_);
    for (size_t i = 0; i < n; ++i) {
      if (i) h.update(" ", 1);
      h.update(words[first + i]);
    }
    hashes_.push_back(h.digest());
  }
  // Adds the unit-normalised family vector times `weight` to `out`; no-op when empty.
  void accumulate(double weight, std::vector<double>& out) {
    if (hashes_.empty()) return;
    std::sort(hashes_.begin(), hashes_.end());
    const size_t dim = out.size();
    const size_t padded = (dim + 63) / 64 * 64;
    std::vector<std::pair<size_t, std::vector<int32_t>>> by_count;  // ascending count
    for (size_t i = 0; i < hashes_.size();) {
      size_t j = i;
      while (j < hashes_.size() && hashes_[j] == hashes_[i]) ++j;
      const size_t count = j - i;
      auto it = std::lower_bound(by_count.begin(), by_count.end(), count,
                                 [](const auto& entry, size_t c) { return entry.first < c; });
      if (it == by_count.end() || it->first != count) it = by_count.insert(it, {count, std::vector<int32_t>(padded, 0)});
      add_signs(hashes_[i], it->second.data(), padded);
      i = j;
    }
    std::vector<double> family(dim, 0.0);
    for (const auto& [count, sums] : by_count) {
      const double w = std::sqrt(static_cast<double>(count));
      for (size_t k = 0; k < dim; ++k) family[k] += w * sums[k];
    }
    double norm2 = 0.0;
    for (double v : family) norm2 += v * v;
    if (norm2 <= 0.0) return;
    const double scale = weight / std::sqrt(norm2);
    for (size_t k = 0; k < dim; ++k) out[k] += family[k] * scale;
  }

 private:
  Fnv1a64 base_;
  std::vector<uint64_t> hashes_;
};

}  // namespace

LexicalTowerParams LexicalTowerParams::from_json(const nlohmann::json& params) {
  LexicalTowerParams p;
  if (params.is_null()) return p;
  if (!params.is_object()) bad_param("", "params must be a JSON object, got " + params.dump());
  for (const auto& [key, v] : params.items()) {
    if (key == "dim") {
      p.dim = int_param(v, key, 1, 65536);
    } else if (key == "seed") {
      if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<int64_t>() >= 0)) {
        bad_param(key, "must be a non-negative integer, got " + v.dump());
      }
      p.seed = v.get<uint64_t>();
    } else if (key == "char_ngrams") {
      if (!v.is_array() || v.size() != 2) bad_param(key, "must be [min, max] (or [0, 0] to disable), got " + v.dump());
      p.char_ngram_min = int_param(v[0], key, 0, 16);
      p.char_ngram_max = int_param(v[1], key, 0, 16);
      const bool disabled = p.char_ngram_min == 0 && p.char_ngram_max == 0;
      if (!disabled && (p.char_ngram_min < 1 || p.char_ngram_min > p.char_ngram_max)) {
        bad_param(key, "needs 1 <= min <= max, got " + v.dump());
      }
    } else if (key == "word_ngrams") {
      p.word_ngrams = int_param(v, key, 1, 4);
    } else {
      bad_param(key, "unknown parameter (known: dim, seed, char_ngrams, word_ngrams)");
    }
  }
  return p;
}

nlohmann::json LexicalTowerParams::to_json() const {
  return {{"dim", dim},
          {"seed", seed},
          {"char_ngrams", {char_ngram_min, char_ngram_max}},
          {"word_ngrams", word_ngrams}};
}

LexicalTower::LexicalTower(LexicalTowerParams params) : params_(params) {
  // Re-validate: callers may construct params directly.
  params_ = LexicalTowerParams::from_json(params.to_json());
}

std::vector<float> LexicalTower::embed(const std::string& text) const {
  const std::string normalized = fold_to_lowercase_words(text);
  const std::vector<std::string_view> words = split_words(normalized);
  const size_t dim = static_cast<size_t>(params_.dim);
  std::vector<double> total(dim, 0.0);

  if (words.empty()) {
    FeatureFamily empty(params_.seed, "empty");
    empty.add("");
    empty.accumulate(1.0, total);
  } else {
    FeatureFamily unigrams(params_.seed, "w1");
    FeatureFamily word_ngrams(params_.seed, "wn");
    FeatureFamily char_ngrams(params_.seed, "c");
    std::string padded;
    for (size_t i = 0; i < words.size(); ++i) {
      unigrams.add(words[i]);
      for (int n = 2; n <= params_.word_ngrams && i + n <= words.size(); ++n) word_ngrams.add_joined(words, i, n);
      if (params_.char_ngram_max == 0) continue;
      padded.assign("<").append(words[i]).append(">");
      const std::string_view p(padded);
      for (int n = params_.char_ngram_min; n <= params_.char_ngram_max; ++n) {
        for (size_t s = 0; s + n <= p.size(); ++s) char_ngrams.add(p.substr(s, n));
      }
    }
    unigrams.accumulate(kUnigramWeight, total);
    word_ngrams.accumulate(kWordNgramWeight, total);
    char_ngrams.accumulate(kCharNgramWeight, total);
  }

  double norm2 = 0.0;
  for (double v : total) norm2 += v * v;
  const double inv = 1.0 / std::sqrt(norm2);  // > 0: every path adds at least one unit family
  std::vector<float> out(dim);
  for (size_t k = 0; k < dim; ++k) out[k] = static_cast<float>(total[k] * inv);
  return out;
}

nlohmann::json LexicalTower::params() const { return params_.to_json(); }

}  // namespace imu2clip
