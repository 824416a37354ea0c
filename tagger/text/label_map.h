#pragma once
// The log vocabulary and the mapping onto it. Datasets name the same activity differently
// ("jogging", "running on a treadmill") and some labels are protocol steps no person would
// say they did ("doing a timed up and go test"). A label map sends each (dataset, label) to
// one everyday activity phrase of the vocabulary, or to nothing. Training uses the mapped
// phrase as the target text (so synonyms are positives of each other) and product-mode
// evaluation scores exactly the phrases the tagger writes. Torch-free.
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace imu2clip {

// The phrase the tagger writes for a window it is not confident about.
inline constexpr const char* kUnclearActivity = "unclear motion";

struct LabelMap {
  std::vector<std::string> activities;   // the vocabulary, in file order
  // (dataset, label) -> activity; an empty activity means "maps to nothing".
  std::map<std::pair<std::string, std::string>, std::string> entries;

  bool empty() const { return entries.empty(); }
  bool has_dataset(const std::string& dataset) const;
  // The activity of `label` in `dataset`: a phrase, "" for "maps to nothing", nullopt when the
  // map does not list the label.
  std::optional<std::string> find(const std::string& dataset, const std::string& label) const;

  // Bundle metadata form: {"activities": [...], "map": {"dataset": {"label": "activity" | null}}}.
  nlohmann::json to_json() const;
  static LabelMap from_json(const nlohmann::json& j, const std::string& where);
};

// Reads the vocabulary (one phrase per line, '#' comments; see read_label_phrases) and the TSV
// map (header `dataset<TAB>label<TAB>activity`, '#' comments, '-' = nothing). Throws
// Error(InvalidInput) naming file and line for a malformed row, a pair listed twice, or an
// activity that is not in the vocabulary.
LabelMap read_label_map(const std::string& vocabulary_path, const std::string& map_path);

}  // namespace imu2clip
