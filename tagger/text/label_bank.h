#pragma once
// Label bank: label phrases rendered through prompt templates, embedded by a text tower and
// averaged per label (then re-normalised), as in CLIP's prompt ensembling.
#include <string>
#include <vector>

namespace imu2clip {

class TextTower;

struct LabelBank {
  std::vector<std::string> labels;
  std::vector<std::string> templates;   // each contains "{label}"
  int dim = 0;
  std::vector<float> embeddings;        // labels.size() x dim, row-major, unit rows

  static LabelBank build(const TextTower& tower, std::vector<std::string> labels,
                         std::vector<std::string> templates);
  const float* row(size_t i) const { return embeddings.data() + i * dim; }
  size_t size() const { return labels.size(); }
};

// The templates used when a bundle does not name its own.
std::vector<std::string> default_prompt_templates();

}  // namespace imu2clip
