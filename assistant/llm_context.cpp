#include "assistant/llm_context.h"

#include <algorithm>
#include <map>

#include "common/time/local_calendar.h"
#include "common/time/time_zone.h"
#include "storage/log_format.h"

namespace imu2clip::assistant {
namespace {

struct Line {
  int64_t t = 0;
  int64_t length = 0;  // for dropping the shortest ranges first
  std::string text;
};

// Day headers between lines of different local days, when the scope has several.
std::string assemble(const std::vector<Line>& lines, const std::string& tz, bool multi_day) {
  std::string out;
  std::string day;
  for (const auto& l : lines) {
    if (multi_day) {
      LocalDate d = local_date_of(l.t, tz);
      std::string header = std::string(weekday_name(weekday_index(d))) + " " + to_iso(d);
      if (header != day) {
        out += "# " + header + "\n";
        day = header;
      }
    }
    out += l.text + "\n";
  }
  return out;
}

size_t assembled_size(const std::vector<Line>& lines, bool multi_day) {
  size_t n = 0;
  for (const auto& l : lines) n += l.text.size() + 1;
  return n + (multi_day ? 24 * 8 : 0);
}

}  // namespace

LogContext build_log_context(const LogView& view, const std::string& tz, size_t max_chars) {
  LogContext ctx;
  const bool multi_day = view.scope().multi_day();
  Intervals windows = view.scope().windows();
  std::vector<LogEntry> in_scope;
  std::map<std::string, std::string> modality_of;
  size_t w = 0;
  for (const auto& e : view.entries()) {
    if (!e.t_utc_ms) continue;
    int64_t t = *e.t_utc_ms;
    while (w < windows.size() && windows[w].to <= t) ++w;
    if (w >= windows.size() || t < windows[w].from) continue;
    modality_of.emplace(e.text, e.modality);
    in_scope.push_back(e);
  }
  // The paper's lines: what motion and audio logged in one minute on one line.
  std::vector<Line> lines;
  for (auto& line : merge_log_lines(in_scope, tz))
    lines.push_back({*line.t_utc_ms, line.duration_ms, std::move(line.text)});
  size_t raw_lines = lines.size();
  if (assembled_size(lines, multi_day) > max_chars) {
    // Merge each label's entries into ranges (episodes) before cutting anything.
    std::vector<Line> ranges;
    for (const auto& [label, modality] : modality_of) {
      for (const auto& ep : view.episodes({Literal{{label}, false}})) {
        int64_t minutes = (ep.length() + 30000) / 60000;
        ranges.push_back({ep.from, ep.length(),
                          "[" + format_local_hhmm(ep.from, tz) + "-" + format_local_hhmm(ep.to, tz) + "] " +
                              modality_display_name(modality) + ": " + label + " (" + std::to_string(minutes) +
                              " min)"});
      }
    }
    std::sort(ranges.begin(), ranges.end(), [](const Line& a, const Line& b) {
      return a.t != b.t ? a.t < b.t : a.text < b.text;
    });
    lines = std::move(ranges);
    ctx.merged = true;
    if (assembled_size(lines, multi_day) > max_chars) {
      // Keep the longest ranges that fit, in time order.
      std::vector<size_t> order(lines.size());
      for (size_t i = 0; i < order.size(); ++i) order[i] = i;
      std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return lines[a].length > lines[b].length; });
      std::vector<bool> keep(lines.size(), false);
      size_t used = multi_day ? 24 * 8 : 0;
      for (size_t i : order) {
        if (used + lines[i].text.size() + 1 > max_chars) continue;
        used += lines[i].text.size() + 1;
        keep[i] = true;
      }
      std::vector<Line> kept;
      for (size_t i = 0; i < lines.size(); ++i) {
        if (keep[i]) kept.push_back(std::move(lines[i]));
      }
      ctx.truncated = kept.size() < lines.size();
      lines = std::move(kept);
    }
  }
  ctx.text = lines.empty() ? "(no log entries in this time span)\n" : assemble(lines, tz, multi_day);
  ctx.lines = lines.size();
  ctx.note = std::to_string(raw_lines) + " log lines";
  if (ctx.merged) ctx.note += " merged into " + std::to_string(lines.size()) + " time ranges per activity";
  if (ctx.truncated) ctx.note += "; the shortest ranges were left out to fit";
  return ctx;
}

}  // namespace imu2clip::assistant
