#pragma once
// Reads a question into a query plan with general English patterns: its time scope, its subject
// (activities as expressions over the user's labels) and the one measure that answers it. Nothing
// here knows any dataset's label set; the labels come from the user's log (Vocabulary).
#include <string>

#include "assistant/plan.h"
#include "assistant/time_scope.h"
#include "assistant/vocabulary.h"

namespace imu2clip::assistant {

QueryPlan plan_question(const std::string& question, const Vocabulary& vocabulary, const ScopeContext& context);

}  // namespace imu2clip::assistant
