#include "storage/log_format.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "common/error.h"
#include "common/time/time_zone.h"

namespace imu2clip {
namespace {

// "15:50" in `tz`, else "+01:05:30" from the recording's start.
std::string displayed_time(const LogEntry& entry, const std::string& tz) {
  if (entry.t_utc_ms) return format_local_hhmm(*entry.t_utc_ms, tz);
  if (entry.offset_ms) return format_relative_offset(*entry.offset_ms);
  throw Error(ErrorKind::InvalidInput, "log entry " + std::to_string(entry.id) +
                                           " has neither a wall-clock time nor an offset; it cannot be shown");
}

// The entry's start on the clock its line shows (displayed_time has checked there is one).
int64_t shown_start(const LogEntry& entry) { return entry.t_utc_ms ? *entry.t_utc_ms : *entry.offset_ms; }

// Motion first, as the paper's lines read; then what was heard; then anything else.
int modality_rank(const std::string& modality) {
  if (modality == "imu") return 0;
  if (modality == kAudioModality) return 1;
  return 2;
}

// What one modality says within one line.
struct Part {
  std::string modality;
  std::string text;
  std::string last_text;
  int64_t last_start = 0;
};

}  // namespace

std::string modality_display_name(const std::string& modality) {
  if (modality == "imu") return "Motion";
  std::string name = modality;
  if (!name.empty()) name[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(name[0])));
  return name;
}

std::string format_relative_offset(int64_t offset_ms) {
  const char* sign = offset_ms < 0 ? "-" : "+";
  int64_t total_s = (offset_ms < 0 ? -offset_ms : offset_ms) / 1000;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%s%02lld:%02lld:%02lld", sign, static_cast<long long>(total_s / 3600),
                static_cast<long long>(total_s / 60 % 60), static_cast<long long>(total_s % 60));
  return buf;
}

std::string format_log_line(const LogEntry& entry, const std::string& tz) {
  return "[" + displayed_time(entry, tz) + "] " + modality_display_name(entry.modality) + ": " + entry.text;
}

std::vector<MergedLogLine> merge_log_lines(const std::vector<LogEntry>& entries, const std::string& tz) {
  std::vector<MergedLogLine> lines;
  std::vector<Part> parts;
  std::string when;
  int64_t line_start = 0, line_end = 0;
  auto finish = [&] {
    if (parts.empty()) return;
    std::stable_sort(parts.begin(), parts.end(), [](const Part& a, const Part& b) {
      return modality_rank(a.modality) < modality_rank(b.modality);
    });
    MergedLogLine& line = lines.back();
    line.text = "[" + when + "] ";
    for (size_t k = 0; k < parts.size(); ++k) {
      line.text += (k ? ", " : "") + modality_display_name(parts[k].modality) + ": " + parts[k].text;
    }
    line.duration_ms = line_end - line_start;
    parts.clear();
  };
  for (size_t i = 0; i < entries.size(); ++i) {
    const LogEntry& e = entries[i];
    const std::string shown = displayed_time(e, tz);
    const int64_t start = shown_start(e);
    // The same displayed minute, not merely the same clock text: a day later, or the repeated
    // hour when clocks go back, reads the same but is another line.
    const bool same_line = !lines.empty() && shown == when &&
                           lines.back().t_utc_ms.has_value() == e.t_utc_ms.has_value() && start - line_start < 60000;
    if (!same_line) {
      finish();
      lines.push_back({"", e.t_utc_ms, e.offset_ms, 0, {}});
      when = shown;
      line_start = line_end = start;
    }
    lines.back().entries.push_back(i);
    line_end = std::max(line_end, start + std::max<int64_t>(0, e.duration_ms));
    auto part = std::find_if(parts.begin(), parts.end(), [&](const Part& p) { return p.modality == e.modality; });
    if (part == parts.end()) {
      parts.push_back({e.modality, e.text, e.text, start});
      continue;
    }
    if (e.text == part->last_text) continue;
    part->text += (start == part->last_start ? " and " : " then ") + e.text;
    part->last_text = e.text;
    part->last_start = start;
  }
  finish();
  return lines;
}

}  // namespace imu2clip
