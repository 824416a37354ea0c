#pragma once
// The query plan as compact JSON: the first fact of every answer and what the LLM prompt shows as
// "what was computed" (measure, subject, scope and the measure's parameters).
#include <nlohmann/json_fwd.hpp>

#include "assistant/plan.h"

namespace imu2clip::assistant {

nlohmann::json plan_to_json(const QueryPlan& plan);

}  // namespace imu2clip::assistant
