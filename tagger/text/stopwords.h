#pragma once
// English function words that carry no activity meaning, dropped by the semantic text towers.
// Particles that change an activity ("up", "down", "off", "on", "out", "over") are NOT stopwords:
// "sitting down" and "sitting up" must differ. Prompt fillers ("person", "someone") are, because
// every prompt template adds them to every label alike.
#include <string_view>

namespace imu2clip {

// `word` must already be normalised (fold_to_lowercase_words: lowercase, apostrophes removed).
bool is_stopword(std::string_view word);

}  // namespace imu2clip
