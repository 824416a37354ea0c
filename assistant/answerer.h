#pragma once
// The built-in grounded answerer: computes the answer to a parsed question from the log
// entries of its scope (durations, first/last start or end times, episode counts, yes/no,
// most/least, comparisons, which days) and cites the log lines it used. It never guesses: a
// question it cannot read gets understood = false and says so.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "assistant/log_view.h"
#include "assistant/question.h"

namespace imu2clip::assistant {

struct AnswerOptions {
  // Entries of one activity closer than this are one episode ("how many times did I walk").
  int64_t episode_gap_ms = 5 * 60 * 1000;
  size_t max_evidence = 20;
};

struct BuiltinAnswer {
  std::string text;
  std::vector<std::string> evidence;
  nlohmann::json facts = nlohmann::json::array();
  bool understood = true;
};

BuiltinAnswer answer_question(const ParsedQuestion& question, const LogView& view, const std::string& tz,
                              const AnswerOptions& options = {});

// "2 hours 5 minutes", "45 minutes", "0 minutes" (rounded to the minute).
std::string format_duration(int64_t ms);

}  // namespace imu2clip::assistant
