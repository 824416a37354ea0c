#pragma once
// Word classes the planner reads questions with: regex tests on the normalised text, number
// words, amounts of time ("3 hours", "half an hour") and the words that could name an activity.
#include <cstdint>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "assistant/lexicon.h"

namespace imu2clip::assistant {

// Whether the pattern (a string literal: compiled once per thread) occurs in s.
bool has(const std::string& s, const char* pattern);

// "three" -> 3, "a" -> 1, "2.5" -> 2.5.
std::optional<double> number_word(const std::string& w);

// "3 hours", "an hour", "half an hour", "20 minutes", "1.5 hours", "two and a half hours"; `where`
// gets the match.
std::optional<int64_t> amount_ms(const std::string& s, std::smatch& where);

// A word that could name an activity: not a function word, a word that frames what is asked
// (how long, when, today), a weekday, a month or a number.
bool is_content_word(const Token& t);

// "a", "the", "my", ...: words between a verb and its object.
bool is_determiner(const std::string& w);

}  // namespace imu2clip::assistant
