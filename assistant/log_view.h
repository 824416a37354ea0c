#pragma once
// The log entries of one question's scope, indexed by label, with the measures the answerer
// computes: time spent (entry durations, so minute-level logs with holes count what was
// logged), coverage intervals for combinations ("walking while at home"), episodes (entries
// joined across short gaps), per-day totals. Built once per question from one range query.
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "assistant/intervals.h"
#include "assistant/time_scope.h"
#include "storage/records.h"

namespace imu2clip::assistant {

// One literal of an activity expression: any of `labels` (a group counts once), or, negated,
// none of them.
struct Literal {
  std::vector<std::string> labels;
  bool negated = false;
};
// A conjunction of literals: "at home and not sleeping" = {home} AND NOT {sleeping}.
using Expression = std::vector<Literal>;
std::string describe(const Expression& e);

class LogView {
 public:
  // `entries` sorted by time (as LogEntryStore::between returns them).
  LogView(std::vector<LogEntry> entries, const TimeScope& scope, int64_t episode_gap_ms);

  const std::vector<LogEntry>& entries() const { return entries_; }
  const TimeScope& scope() const { return scope_; }
  // Labels with any time inside the scope, by descending time.
  std::vector<std::string> labels_present() const;
  // The modalities the label's entries come from ("imu", "audio", ...); empty when it has none.
  const std::set<std::string>& modalities(const std::string& label) const;

  // Time the expression holds inside `windows` (default: the scope's windows). A label logged by
  // several modalities ("eating" seen by the watch and heard by the phone) counts its time once.
  int64_t duration_ms(const Expression& e) const;
  int64_t duration_ms(const Expression& e, const Intervals& windows) const;
  // Time of the label's entries of one modality inside the windows ("eating" as heard, not as
  // seen by the watch).
  int64_t duration_ms(const std::string& label, const std::string& modality, const Intervals& windows) const;
  Intervals coverage(const Expression& e) const;
  Intervals coverage(const Expression& e, const Intervals& windows) const;
  // Coverage joined across gaps of up to episode_gap_ms.
  Intervals episodes(const Expression& e) const;
  Intervals episodes(const Expression& e, const Intervals& windows) const;
  // Whatever was logged (any label) inside the windows: where the log has data at all.
  Intervals logged(const Intervals& windows) const;
  // The scope's days that have any log entry in their windows.
  std::vector<const DaySlice*> days_with_data() const;
  // Entries whose [t, t + duration) contains the instant, else the nearest within max_distance.
  std::vector<const LogEntry*> entries_at(int64_t utc_ms, int64_t max_distance_ms) const;
  // Entries of the expression's positive labels that fall inside the intervals (for evidence).
  std::vector<const LogEntry*> entries_in(const Expression& e, const Intervals& within, size_t limit) const;
  int64_t episode_gap_ms() const { return episode_gap_ms_; }

 private:
  struct LabelIndex {
    std::vector<size_t> entries;  // indices into entries_, by time
    Intervals raw;                // [t, t + duration) of each entry, by start
    Intervals covered;            // normalised
    std::set<std::string> modalities;
  };
  const LabelIndex* index(const std::string& label) const;
  Intervals literal_coverage(const Literal& lit) const;
  std::vector<LogEntry> entries_;
  TimeScope scope_;
  Intervals windows_;
  Intervals all_covered_;
  std::map<std::string, LabelIndex> by_label_;
  int64_t episode_gap_ms_;
};

}  // namespace imu2clip::assistant
