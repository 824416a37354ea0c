#include "tagger/text/label_file.h"

#include <algorithm>
#include <cstdint>
#include <fstream>

#include "common/error.h"

namespace imu2clip {

std::vector<std::string> read_label_phrases(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(ErrorKind::NotFound, "cannot open the label file", {path, 0, "--labels"});
  std::vector<std::string> labels;
  std::string line;
  int64_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
    const size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line[start] == '#') continue;
    line.erase(0, start);
    if (std::find(labels.begin(), labels.end(), line) != labels.end()) {
      throw Error(ErrorKind::InvalidInput, "label '" + line + "' is listed twice", {path, n, "--labels"});
    }
    labels.push_back(line);
  }
  if (labels.empty()) {
    throw Error(ErrorKind::InvalidInput, "no labels in the file (one label phrase per line)", {path, n, "--labels"});
  }
  return labels;
}

}  // namespace imu2clip
