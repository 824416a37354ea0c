#include "assistant/question_words.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>
#include <unordered_map>

namespace imu2clip::assistant {

// Patterns are string literals: compile each once per thread.
bool has(const std::string& s, const char* pattern) {
  static thread_local std::unordered_map<const char*, std::regex> compiled;
  auto it = compiled.find(pattern);
  if (it == compiled.end()) it = compiled.emplace(pattern, std::regex(pattern)).first;
  return std::regex_search(s, it->second);
}

std::optional<double> number_word(const std::string& w) {
  static const std::vector<std::string> words = {"zero", "one", "two",   "three",  "four",  "five",  "six",
                                                 "seven", "eight", "nine", "ten", "eleven", "twelve"};
  auto it = std::find(words.begin(), words.end(), w);
  if (it != words.end()) return static_cast<double>(it - words.begin());
  if (w == "a" || w == "an") return 1.0;
  if (w == "fifteen") return 15.0;
  if (w == "twenty") return 20.0;
  if (w == "thirty") return 30.0;
  if (w == "forty") return 40.0;
  if (w == "fifty") return 50.0;
  if (w == "sixty") return 60.0;
  if (w == "ninety") return 90.0;
  char* end = nullptr;
  double v = std::strtod(w.c_str(), &end);
  if (end && *end == '\0' && !w.empty()) return v;
  return std::nullopt;
}

std::optional<int64_t> amount_ms(const std::string& s, std::smatch& where) {
  static const std::regex half(R"(\b(half an hour|half hour|a half hour))");
  static const std::regex amount(
      R"(\b(\d+(?:\.\d+)?|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|sixty|ninety)(\s+and\s+a\s+half)?\s*(hours?|hrs?|h|minutes?|mins?)\b)");
  if (std::regex_search(s, where, half)) return int64_t{30} * 60000;
  if (!std::regex_search(s, where, amount)) return std::nullopt;
  auto v = number_word(where[1]);
  if (!v) return std::nullopt;
  double value = *v + (where[2].matched ? 0.5 : 0.0);
  bool hours = where[3].str()[0] == 'h';
  return static_cast<int64_t>(std::llround(value * (hours ? 3600000.0 : 60000.0)));
}

namespace {

// Words of a question that frame what is asked (how long, when, today, ...) rather than name an
// activity.
bool is_frame_word(const Token& t) {
  static const std::set<std::string> frame = {
      "how", "many", "much", "long", "often", "frequently", "frequent", "time", "times", "day", "days", "week", "weeks",
      "hour", "hours", "minute", "minutes", "today", "yesterday", "tonight", "morning", "afternoon", "evening", "night",
      "nights", "am", "pm", "noon", "midnight", "spend", "spent", "engage", "engaged", "activity", "activities",
      "total", "amount", "duration", "ever", "every", "each", "last", "first", "latest", "earliest", "longest",
      "shortest", "least", "most", "more", "less", "did", "doing", "go", "went", "going", "start", "started", "stop",
      "stopped", "begin", "began", "finish", "finished", "end", "ended", "leave", "arrive", "arrived", "get", "got",
      "separate", "sessions", "session", "period", "periods", "stretch", "block", "whole", "entire", "week", "weekend",
      "weekends", "past", "previous", "next", "typically", "usually", "always", "never", "average", "per", "daily",
      "week", "which", "what", "when", "where", "who", "whom", "why", "yes", "no", "often", "once", "twice", "thing",
      "things", "stuff", "lot", "perform", "performed", "do", "compare", "compared", "difference", "same", "different",
      "rounded", "nearest", "roughly", "approximately", "around", "about", "exactly", "total", "overall", "combined",
      "together", "record", "recorded", "log", "logs", "graph", "chart", "data", "date", "dates", "wake", "woke",
      "consecutive", "spend", "like", "engaging", "participate", "participated", "complete", "completed", "take",
      "took", "part", "those", "these", "days", "early", "late", "later", "earlier", "now", "then", "week", "mostly",
      "straight",
      // asking about sounds: "what did I hear", "any noise"
      "hear", "heard", "sound", "sounds", "noise", "noises", "audio"};
  return frame.count(t.word) > 0 || frame.count(t.stem) > 0;
}

}  // namespace

bool is_content_word(const Token& t) {
  const auto& w = t.word;
  if (is_function_word(w) || is_frame_word(t)) return false;
  if (weekday_of_word(w) >= 0 || month_of_word(w) > 0) return false;
  if (std::isdigit(static_cast<unsigned char>(w[0])) || number_word(w)) return false;
  if (w == "st" || w == "nd" || w == "rd" || w == "th" || w.size() <= 1) return false;
  return true;
}

bool is_determiner(const std::string& w) {
  static const std::set<std::string> determiners = {"a", "an", "the", "some", "any", "my", "your", "our", "his",
                                                    "her", "their"};
  return determiners.count(w) > 0;
}

}  // namespace imu2clip::assistant
