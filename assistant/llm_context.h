#pragma once
// The log part of an LLM prompt: the scope's log lines as the paper shows them (what several
// modalities logged in one minute on one line: "[15:50] Motion: sitting, Audio: person
// speaking"), fitted into a character budget (about 4 characters per token). Lines of the same
// label close together are first merged into time ranges ("[15:50-16:20] Context: sitting (30
// min)"); if that is still too long the shortest ranges are dropped, and the note says so.
#include <cstddef>
#include <string>

#include "assistant/log_view.h"

namespace imu2clip::assistant {

struct LogContext {
  std::string text;    // one line per minute or range, day headers for several days
  std::string note;    // "42 log lines", "1,440 log lines merged into 35 time ranges", ...
  size_t lines = 0;
  bool merged = false;
  bool truncated = false;
};

LogContext build_log_context(const LogView& view, const std::string& tz, size_t max_chars);

}  // namespace imu2clip::assistant
