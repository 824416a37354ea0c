#pragma once
// Text normalisation shared by lexical features: the same activity written as "Walking!",
// "walking" or "WALKING_UPSTAIRS" must map to the same words.
#include <string>
#include <string_view>
#include <vector>

namespace imu2clip {

// ASCII letters lowercased; apostrophes (' and U+2019) removed so "don't" == "dont"; every
// other ASCII character that is not a letter or digit (punctuation, '_', '-', whitespace)
// becomes a word break; runs of breaks collapse to one space, none at the ends. Non-ASCII
// bytes are kept verbatim (UTF-8 words stay intact, but are not case-folded).
std::string fold_to_lowercase_words(std::string_view text);

// Words of an already normalised text (split on single spaces); views into `normalized`.
std::vector<std::string_view> split_words(std::string_view normalized);

}  // namespace imu2clip
