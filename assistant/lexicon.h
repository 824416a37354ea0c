#pragma once
// Just enough English morphology to match the words of a question against log labels:
// tokens, stems that conflate inflections ("sat", "sitting", "sits" -> "sit"; "exercise",
// "exercising" -> "exercis"), function words, and a small general-English table of words that
// name the same activity or place ("car" -> "vehicle", "office" -> "workplace"). Nothing here
// knows any dataset's label set.
#include <string>
#include <vector>

namespace imu2clip::assistant {

struct Token {
  std::string word;  // lower case; hyphens inside a word removed ("co-workers" -> "coworkers")
  std::string stem;
  size_t begin = 0;  // byte offset in the normalised text
};

// Lower-cases and rewrites multi-word expressions that stand for one activity ("work out" ->
// "exercise", "after noon" -> "afternoon", "lay down" -> "lie").
std::string normalise_question_text(const std::string& text);

// Words (letters, digits, inner apostrophes and hyphens) of already normalised text.
std::vector<Token> tokenize(const std::string& normalised);

// The stem of one lower-case word.
std::string stem_word(const std::string& word);

// Function words that never identify an activity ("the", "at", "doing", "main", "down").
bool is_function_word(const std::string& word);

// Stems of words that name the same activity, place or object as `stem` (without `stem`).
const std::vector<std::string>& related_stems(const std::string& stem);

// Weekday index (0 = Monday) of a word like "tue", "tuesday", "tuesdays", or a one-letter typo
// of a full name ("thirsday"); -1 when it is not a weekday.
int weekday_of_word(const std::string& word);

// Month 1..12 of "mar", "march", "sept"; 0 otherwise.
int month_of_word(const std::string& word);

}  // namespace imu2clip::assistant
