#pragma once
// The log lines an answer cites: a bounded, de-duplicated list (with dates when the scope spans
// several days).
#include <vector>

#include "assistant/measures/context.h"

namespace imu2clip::assistant::measures {

void add_evidence(Context& c, const std::vector<const LogEntry*>& entries);
// The first entry of each episode, and the last of the last one.
void cite_episodes(Context& c, const Expression& e, const Intervals& episodes);

}  // namespace imu2clip::assistant::measures
