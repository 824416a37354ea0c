#pragma once
// Text-to-text retrieval probe used to compare text towers: for each query phrase, which of its
// candidate phrases is nearest (cosine)? Top-1 accuracy says how well a tower maps paraphrases
// ("going up the stairs") onto the label phrases a model was trained with ("walking upstairs").
#include <string>
#include <vector>

namespace imu2clip {

class TextTower;

struct ProbeQuery {
  std::string query;
  std::vector<std::string> candidates;
  size_t correct = 0;   // index into candidates
};

struct ProbeResult {
  size_t total = 0;
  size_t correct = 0;
  std::vector<size_t> predicted;   // per query, the index of the nearest candidate (first one on ties)
  double accuracy() const { return total ? static_cast<double>(correct) / static_cast<double>(total) : 0.0; }
};

// Candidates are embedded as they are, or, when `templates` is not empty, as a LabelBank prompt
// ensemble (what the zero-shot tagger uses). Each distinct candidate list is embedded once.
// Throws Error(InvalidInput) for a query with no candidates or an out-of-range `correct`.
ProbeResult probe_top1(const TextTower& tower, const std::vector<ProbeQuery>& queries,
                       const std::vector<std::string>& templates = {});

}  // namespace imu2clip
