#pragma once
// Runs a query plan over the log entries of its scope: the executor of the plan's measure computes
// the answer and cites the log lines it used. It never guesses: a plan it cannot answer gets
// understood = false and says so. The first facts are the scope and the plan itself.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "assistant/log_view.h"
#include "assistant/plan.h"

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

BuiltinAnswer execute_plan(const QueryPlan& plan, const LogView& view, const std::string& tz,
                           const AnswerOptions& options = {});

}  // namespace imu2clip::assistant
