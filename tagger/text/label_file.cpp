#include "tagger/text/label_file.h"

#include <algorithm>
#include <cstdint>
#include <fstream>

#include "common/error.h"
#include "common/strings.h"

namespace imu2clip {

std::vector<std::string> read_label_phrases(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(ErrorKind::NotFound, "cannot open the label file", {path, 0, "--labels"});
  std::vector<std::string> labels;
  std::string line;
  int64_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    line = trim(line);
    if (line.empty() || line[0] == '#') continue;
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
