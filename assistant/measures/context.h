#pragma once
// What every measure executor works with: the plan, the scope's log, the zone, and the answer
// being built.
#include <string>

#include "assistant/executor.h"
#include "assistant/log_view.h"
#include "assistant/plan.h"

namespace imu2clip::assistant::measures {

constexpr int64_t kMinute = 60 * 1000;

struct Context {
  const QueryPlan& plan;
  const LogView& view;
  const std::string& tz;
  const AnswerOptions& options;
  BuiltinAnswer out;

  const Subject& subject() const { return plan.subject; }
  const TimeScope& scope() const { return plan.scope; }
};

}  // namespace imu2clip::assistant::measures
