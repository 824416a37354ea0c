#include "assistant/lexicon.h"

#include <cctype>
#include <map>
#include <regex>
#include <set>
#include <unordered_map>

#include "common/strings.h"

namespace imu2clip::assistant {
namespace {

bool is_vowel(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'; }

// Irregular forms -> base form (stemmed further by the suffix rules).
const std::unordered_map<std::string, std::string>& irregular_forms() {
  static const std::unordered_map<std::string, std::string> forms = {
      {"ate", "eat"},       {"eaten", "eat"},     {"slept", "sleep"},    {"sat", "sit"},
      {"stood", "stand"},   {"lay", "lie"},       {"lain", "lie"},       {"lying", "lie"},
      {"lies", "lie"},      {"lied", "lie"},      {"drove", "drive"},    {"driven", "drive"},
      {"driver", "drive"},  {"rode", "ride"},     {"ridden", "ride"},    {"rider", "ride"},
      {"ran", "run"},       {"went", "go"},       {"gone", "go"},        {"goes", "go"},
      {"spent", "spend"},   {"woke", "wake"},     {"woken", "wake"},     {"met", "meet"},
      {"took", "take"},     {"taken", "take"},    {"left", "leave"},     {"got", "get"},
      {"gotten", "get"},    {"did", "do"},        {"done", "do"},        {"does", "do"},
      {"doing", "do"},      {"was", "be"},        {"were", "be"},        {"been", "be"},
      {"am", "be"},         {"is", "be"},         {"are", "be"},         {"being", "be"},
      {"had", "have"},      {"has", "have"},      {"having", "have"},    {"made", "make"},
      {"saw", "see"},       {"seen", "see"},      {"swam", "swim"},      {"began", "begin"},
      {"begun", "begin"},   {"bought", "buy"},    {"brought", "bring"},  {"fell", "fall"},
      {"wrote", "write"},   {"written", "write"}, {"drank", "drink"},    {"drunk", "drink"},
      {"spoke", "speak"},   {"came", "come"},     {"cycling", "cycle"},  {"biking", "bike"},
      {"cooking", "cook"},  {"clothes", "cloth"}, {"glasses", "glass"},  {"bus", "bus"},
      {"news", "news"},     {"tv", "tv"},         {"men", "man"},        {"women", "woman"},
      {"children", "child"}, {"people", "person"}, {"indoors", "indoor"}, {"outdoors", "outdoor"},
  };
  return forms;
}

std::string strip_suffixes(std::string w) {
  if (w.size() <= 3) return w;
  // plural / third person
  if (ends_with(w, "ies") && w.size() > 4) {
    w = w.substr(0, w.size() - 3) + "y";
  } else if (ends_with(w, "sses")) {
    w.resize(w.size() - 2);
  } else if (ends_with(w, "ches") || ends_with(w, "shes") || ends_with(w, "xes") || ends_with(w, "zes") ||
             ends_with(w, "ses")) {
    w.resize(w.size() - 2);
  } else if (ends_with(w, "s") && !ends_with(w, "ss") && !ends_with(w, "us") && !ends_with(w, "is")) {
    w.resize(w.size() - 1);
  }
  // progressive / past
  if (ends_with(w, "ing") && w.size() >= 6) {
    w.resize(w.size() - 3);
  } else if (ends_with(w, "ied") && w.size() > 4) {
    w = w.substr(0, w.size() - 3) + "y";
  } else if (ends_with(w, "ed") && w.size() >= 5) {
    w.resize(w.size() - 2);
  }
  // "sitt" -> "sit", "shopp" -> "shop" (but "dress", "fall", "buzz" keep theirs)
  size_t n = w.size();
  if (n >= 3 && w[n - 1] == w[n - 2] && !is_vowel(w[n - 1]) && w[n - 1] != 'l' && w[n - 1] != 's' &&
      w[n - 1] != 'z') {
    w.resize(n - 1);
  }
  // "exercise"/"exercis(ing)" and "drive"/"driv(ing)" meet at "exercis", "driv"
  if (w.size() > 3 && w.back() == 'e') w.pop_back();
  return w;
}

std::string stem_uncached(const std::string& word) {
  auto it = irregular_forms().find(word);
  std::string base = it != irregular_forms().end() ? it->second : word;
  if (base.size() <= 3) return base;
  return strip_suffixes(base);
}

// Words naming the same thing, as groups whose first word is the one labels usually use.
const std::vector<std::vector<std::string>>& related_groups() {
  static const std::vector<std::vector<std::string>> groups = {
      {"vehicle", "car", "bus", "drive", "train", "commute", "taxi", "ride", "automobile", "truck"},
      {"bicycle", "bike", "cycle", "cyclist"},
      {"tv", "television"},
      {"tap", "faucet"},
      {"exercise", "workout", "gym", "jog", "training", "fitness"},
      {"workplace", "work", "office", "job", "workspace"},
      {"toilet", "bathroom", "restroom", "washroom", "loo", "lavatory"},
      {"shower", "bath", "bathe"},
      {"sleep", "asleep", "nap", "bed", "slumber"},
      {"eat", "meal", "food", "breakfast", "lunch", "dinner", "snack", "supper", "dine"},
      {"talk", "chat", "conversation", "speak", "converse", "discussion"},
      {"coworker", "colleague", "coworker"},
      {"internet", "web", "online", "browse", "browsing", "net"},
      {"outside", "outdoor", "outdoors"},
      {"indoor", "inside", "indoors"},
      {"home", "house", "apartment"},
      {"school", "campus", "university", "college"},
      {"class", "lecture", "lesson"},
      {"computer", "laptop", "pc", "desktop"},
      {"phone", "cellphone", "smartphone", "mobile", "iphone"},
      {"groom", "dress", "grooming"},
      {"walk", "stroll", "hike"},
      {"sit", "seat", "seated"},
      {"lab", "laboratory"},
      {"meeting", "meet"},
      {"clean", "tidy", "vacuum", "wash"},
      {"cook", "cooking"},
      {"friend", "buddy", "friends"},
  };
  return groups;
}

const std::unordered_map<std::string, std::vector<std::string>>& related_map() {
  static const std::unordered_map<std::string, std::vector<std::string>> map = [] {
    std::map<std::string, std::set<std::string>> rel;
    for (const auto& group : related_groups()) {
      std::vector<std::string> stems;
      for (const auto& w : group) stems.push_back(stem_uncached(w));
      for (const auto& a : stems) {
        for (const auto& b : stems) {
          if (a != b) rel[a].insert(b);
        }
      }
    }
    std::unordered_map<std::string, std::vector<std::string>> out;
    for (auto& [k, v] : rel) out[k] = std::vector<std::string>(v.begin(), v.end());
    return out;
  }();
  return map;
}

const std::set<std::string>& function_words() {
  static const std::set<std::string> words = {
      "a",
      "an",
      "the",
      "i",
      "me",
      "my",
      "mine",
      "you",
      "your",
      "we",
      "our",
      "he",
      "she",
      "they",
      "them",
      "their",
      "it",
      "its",
      "at",
      "in",
      "on",
      "of",
      "to",
      "for",
      "with",
      "by",
      "from",
      "into",
      "onto",
      "and",
      "or",
      "but",
      "not",
      "no",
      "do",
      "does",
      "did",
      "doing",
      "done",
      "is",
      "am",
      "are",
      "was",
      "were",
      "be",
      "been",
      "being",
      "have",
      "has",
      "had",
      "this",
      "that",
      "these",
      "those",
      "there",
      "what",
      "which",
      "when",
      "where",
      "who",
      "how",
      "as",
      "main",
      "down",
      "up",
      "some",
      "any",
      "all",
      "other",
      "while",
      "than",
      "then",
      "so",
      "if",
      "about",
      "over",
      "under",
      "between",
      "after",
      "before",
      "during",
      "just",
      "also",
      "very",
      "too",
      "only",
      "much",
      "many",
      "more",
      "most",
      "less",
      "least",
      "time",
      "times",
      "spend",
      "spent",
      "get",
      "go",
      "went",
      "activity",
      "activities",
      "s",
      "t",
      "ll",
      "d",
      "ve",
      "re",
      "m",
      "ever",
      "'s",
      // "pick something up" is picking up, whatever the thing; "someone speaking" is speaking
      "something",
      "anything",
      "everything",
      "someone",
      "somebody",
      "anyone",
      "anybody",
  };
  return words;
}

int edit_distance(const std::string& a, const std::string& b) {
  std::vector<int> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = static_cast<int>(j);
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = static_cast<int>(i);
    for (size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

std::string normalise_question_text(const std::string& text) {
  std::string s = lower(text);
  // Multi-word expressions that name a single activity or time of day.
  static const std::vector<std::pair<std::regex, std::string>> rewrites = {
      {std::regex(R"(\b(work|works|working|worked)\s+out\b)"), "exercise"},
      {std::regex(R"(\bafter\s+noon\b)"), "afternoon"},
      {std::regex(R"(\b(lay|lie|lying|lies|laid)\s+down\b)"), "lie"},
      {std::regex(R"(\b(sit|sat|sitting|sits)\s+down\b)"), "sit"},
      {std::regex(R"(\bco\s+workers?\b)"), "coworkers"},
      // "three days in a row" is about consecutive time, not about rowing
      {std::regex(R"(\bin\s+a\s+row\b)"), "consecutive"},
      {std::regex(R"(\bt\.\s?v\.?)"), "tv"},
      {std::regex(R"(\bday\s*time\b)"), "daytime"},
      {std::regex(R"(\bnight\s*time\b)"), "night"},
  };
  for (const auto& [re, replacement] : rewrites) s = std::regex_replace(s, re, replacement);
  return s;
}

std::vector<Token> tokenize(const std::string& text) {
  std::vector<Token> out;
  size_t i = 0;
  auto is_word_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  while (i < text.size()) {
    if (!is_word_char(text[i])) {
      ++i;
      continue;
    }
    size_t begin = i;
    std::string word;
    while (i < text.size()) {
      char c = text[i];
      if (is_word_char(c)) {
        word += c;
        ++i;
      } else if ((c == '-' || c == '\'') && i + 1 < text.size() && is_word_char(text[i + 1]) && !word.empty() &&
                 std::isalpha(static_cast<unsigned char>(word.back()))) {
        if (c == '\'') {
          // "don't" -> "do" + "not"; "I'm" -> "i" + "m"; possessive "'s" dropped
          std::string rest;
          size_t j = i + 1;
          while (j < text.size() && std::isalpha(static_cast<unsigned char>(text[j]))) rest += text[j++];
          if (rest == "t" && word.size() > 1 && word.back() == 'n') {
            word.pop_back();
            if (word == "ca") word = "can";
            if (word == "wo") word = "will";
            out.push_back({word, stem_word(word), begin});
            out.push_back({"not", "not", i});
            word.clear();
            i = j;
            break;
          }
          i = j;  // other clitics carry no activity meaning
          break;
        }
        ++i;  // join hyphenated words: "co-workers" -> "coworkers"
      } else {
        break;
      }
    }
    if (!word.empty()) out.push_back({word, stem_word(word), begin});
  }
  return out;
}

std::string stem_word(const std::string& word) {
  static thread_local std::unordered_map<std::string, std::string> cache;
  auto it = cache.find(word);
  if (it != cache.end()) return it->second;
  std::string s = stem_uncached(word);
  if (cache.size() < 100000) cache.emplace(word, s);
  return s;
}

bool is_function_word(const std::string& word) { return function_words().count(word) > 0; }

const std::vector<std::string>& related_stems(const std::string& stem) {
  static const std::vector<std::string> none;
  auto it = related_map().find(stem);
  return it == related_map().end() ? none : it->second;
}

int weekday_of_word(const std::string& raw) {
  static const std::vector<std::string> full = {"monday", "tuesday", "wednesday", "thursday",
                                                "friday", "saturday", "sunday"};
  static const std::map<std::string, int> abbreviations = {
      {"mon", 0}, {"tue", 1}, {"tues", 1}, {"wed", 2}, {"thu", 3}, {"thur", 3}, {"thurs", 3},
      {"fri", 4}, {"sat", 5}, {"sun", 6}};
  std::string w = raw;
  if (w.size() > 6 && w.back() == 's') w.pop_back();  // "tuesdays"
  for (size_t k = 0; k < full.size(); ++k) {
    if (w == full[k]) return static_cast<int>(k);
  }
  auto it = abbreviations.find(w);
  if (it != abbreviations.end() && w != "sat" && w != "sun") return it->second;  // "sat" is a verb, "sun" a noun
  if (w.size() >= 6 && ends_with(w, "day")) {
    for (size_t k = 0; k < full.size(); ++k) {
      if (w[0] == full[k][0] && edit_distance(w, full[k]) <= 1) return static_cast<int>(k);
    }
  }
  return -1;
}

int month_of_word(const std::string& w) {
  static const std::map<std::string, int> months = {
      {"jan", 1},   {"january", 1},  {"feb", 2},      {"february", 2}, {"mar", 3},     {"march", 3},
      {"apr", 4},   {"april", 4},    {"may", 5},      {"jun", 6},      {"june", 6},    {"jul", 7},
      {"july", 7},  {"aug", 8},      {"august", 8},   {"sep", 9},      {"sept", 9},    {"september", 9},
      {"oct", 10},  {"october", 10}, {"nov", 11},     {"november", 11}, {"dec", 12},   {"december", 12}};
  auto it = months.find(w);
  return it == months.end() ? 0 : it->second;
}

}  // namespace imu2clip::assistant
