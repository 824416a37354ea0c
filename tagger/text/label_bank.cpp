#include "tagger/text/label_bank.h"

#include <cmath>
#include <set>

#include "common/error.h"
#include "common/strings.h"
#include "tagger/text/text_tower.h"

namespace imu2clip {
namespace {

constexpr std::string_view kPlaceholder = "{label}";

std::string render(const std::string& templ, const std::string& label) {
  std::string out;
  size_t pos = 0;
  for (size_t hit; (hit = templ.find(kPlaceholder, pos)) != std::string::npos; pos = hit + kPlaceholder.size()) {
    out.append(templ, pos, hit - pos).append(label);
  }
  return out.append(templ, pos, std::string::npos);
}

}  // namespace

LabelBank LabelBank::build(const TextTower& tower, std::vector<std::string> labels,
                           std::vector<std::string> templates) {
  if (templates.empty()) {
    throw Error(ErrorKind::InvalidInput, "no prompt templates given; pass default_prompt_templates() for the defaults",
                ErrorContext{"", 0, "templates"});
  }
  for (const auto& t : templates) {
    if (t.find(kPlaceholder) == std::string::npos) {
      throw Error(ErrorKind::InvalidInput, "template '" + t + "' does not contain {label}",
                  ErrorContext{"", 0, "templates"});
    }
  }
  std::set<std::string> seen;
  for (const auto& l : labels) {
    if (trim_view(l).empty()) {
      throw Error(ErrorKind::InvalidInput, "labels must not be empty", ErrorContext{"", 0, "labels"});
    }
    if (!seen.insert(l).second) {
      throw Error(ErrorKind::InvalidInput, "label '" + l + "' is listed twice", ErrorContext{"", 0, "labels"});
    }
  }

  LabelBank bank;
  bank.dim = tower.dim();
  bank.embeddings.assign(labels.size() * static_cast<size_t>(bank.dim), 0.0f);
  std::vector<double> mean(static_cast<size_t>(bank.dim));
  for (size_t i = 0; i < labels.size(); ++i) {
    std::fill(mean.begin(), mean.end(), 0.0);
    std::vector<std::string> prompts;
    for (const auto& t : templates) prompts.push_back(render(t, labels[i]));
    for (const std::vector<float>& e : tower.embed_batch(prompts)) {
      if (e.size() != mean.size()) {
        throw Error(ErrorKind::Internal, "text tower " + tower.id() + " returned " + std::to_string(e.size()) +
                                             " values, declared dim " + std::to_string(bank.dim));
      }
      for (size_t k = 0; k < mean.size(); ++k) mean[k] += e[k];
    }
    double norm2 = 0.0;
    for (double v : mean) norm2 += v * v;
    if (!(norm2 > 0.0)) {
      throw Error(ErrorKind::InvalidInput, "the template renderings of label '" + labels[i] + "' cancel out",
                  ErrorContext{"", 0, "templates"});
    }
    const double inv = 1.0 / std::sqrt(norm2);
    float* row = bank.embeddings.data() + i * static_cast<size_t>(bank.dim);
    for (size_t k = 0; k < mean.size(); ++k) row[k] = static_cast<float>(mean[k] * inv);
  }
  bank.labels = std::move(labels);
  bank.templates = std::move(templates);
  return bank;
}

std::vector<std::string> default_prompt_templates() {
  return {"{label}", "a person {label}", "someone is {label} right now", "the person is {label}",
          "a video of a person {label}"};
}

}  // namespace imu2clip
