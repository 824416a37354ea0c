#include "tagger/text/label_map.h"

#include <algorithm>
#include <cstdint>
#include <fstream>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/strings.h"
#include "tagger/text/label_file.h"

namespace imu2clip {
namespace {

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> out = split(line, '\t');
  for (auto& s : out) s = trim(s);
  return out;
}

}  // namespace

bool LabelMap::has_dataset(const std::string& dataset) const {
  const auto it = entries.lower_bound({dataset, std::string()});
  return it != entries.end() && it->first.first == dataset;
}

std::optional<std::string> LabelMap::find(const std::string& dataset, const std::string& label) const {
  const auto it = entries.find({dataset, label});
  if (it == entries.end()) return std::nullopt;
  return it->second;
}

nlohmann::json LabelMap::to_json() const {
  nlohmann::json map = nlohmann::json::object();
  for (const auto& [key, activity] : entries)
    map[key.first][key.second] = activity.empty() ? nlohmann::json(nullptr) : nlohmann::json(activity);
  return {{"activities", activities}, {"map", map}};
}

LabelMap LabelMap::from_json(const nlohmann::json& j, const std::string& where) {
  auto bad = [&](const std::string& msg) { return Error(ErrorKind::Corrupt, msg, ErrorContext{where, 0, "label_map"}); };
  if (!j.is_object() || !j.contains("activities") || !j["activities"].is_array() || !j.contains("map") ||
      !j["map"].is_object())
    throw bad("expected {\"activities\": [...], \"map\": {...}}");
  LabelMap m;
  for (const auto& a : j["activities"]) {
    if (!a.is_string()) throw bad("activities must be strings");
    m.activities.push_back(a.get<std::string>());
  }
  for (const auto& [dataset, labels] : j["map"].items()) {
    if (!labels.is_object()) throw bad("map." + dataset + " must be an object");
    for (const auto& [label, activity] : labels.items()) {
      if (activity.is_null()) {
        m.entries[{dataset, label}] = "";
      } else if (activity.is_string() &&
                 std::find(m.activities.begin(), m.activities.end(), activity.get<std::string>()) != m.activities.end()) {
        m.entries[{dataset, label}] = activity.get<std::string>();
      } else {
        throw bad("map." + dataset + "." + label + " is not an activity of the vocabulary");
      }
    }
  }
  return m;
}

LabelMap read_label_map(const std::string& vocabulary_path, const std::string& map_path) {
  LabelMap m;
  m.activities = read_label_phrases(vocabulary_path);
  std::ifstream in(map_path);
  if (!in) throw Error(ErrorKind::NotFound, "cannot open the label map", ErrorContext{map_path, 0, "--label-map"});
  std::string line;
  int64_t n = 0;
  bool header = false;
  while (std::getline(in, line)) {
    ++n;
    const std::string_view content = trim_view(line);
    if (content.empty() || content[0] == '#') continue;
    const auto cols = split_tabs(line);
    if (!header) {
      if (cols != std::vector<std::string>{"dataset", "label", "activity"})
        throw Error(ErrorKind::InvalidInput, "the first row must be the header dataset<TAB>label<TAB>activity",
                    ErrorContext{map_path, n, "header"});
      header = true;
      continue;
    }
    if (cols.size() != 3 || cols[0].empty() || cols[1].empty() || cols[2].empty())
      throw Error(ErrorKind::InvalidInput, "expected three tab-separated columns: dataset, label, activity (or -)",
                  ErrorContext{map_path, n, "row"});
    const std::string activity = cols[2] == "-" ? "" : cols[2];
    if (!activity.empty() && std::find(m.activities.begin(), m.activities.end(), activity) == m.activities.end())
      throw Error(ErrorKind::InvalidInput,
                  "activity '" + activity + "' is not in the vocabulary " + vocabulary_path + "; add it there or fix the row",
                  ErrorContext{map_path, n, "activity"});
    if (!m.entries.emplace(std::make_pair(cols[0], cols[1]), activity).second)
      throw Error(ErrorKind::InvalidInput, "'" + cols[0] + "' label '" + cols[1] + "' is mapped twice",
                  ErrorContext{map_path, n, "label"});
  }
  if (!header || m.entries.empty())
    throw Error(ErrorKind::InvalidInput, "the label map has no rows", ErrorContext{map_path, n, "--label-map"});
  return m;
}

}  // namespace imu2clip
