#pragma once
// Label phrase files (`--labels FILE`): one phrase per line; blank lines and lines starting
// with '#' are skipped, surrounding whitespace is trimmed.
#include <string>
#include <vector>

namespace imu2clip {

// Throws Error(NotFound) when the file cannot be opened, Error(InvalidInput) naming the line
// for a phrase listed twice, and when the file holds no phrase.
std::vector<std::string> read_label_phrases(const std::string& path);

}  // namespace imu2clip
