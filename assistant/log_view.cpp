#include "assistant/log_view.h"

#include <algorithm>
#include <set>

#include "common/strings.h"

namespace imu2clip::assistant {

std::string describe(const Expression& e) {
  std::string out;
  for (const auto& lit : e) {
    if (!out.empty()) out += " and ";
    if (lit.negated) out += "not ";
    const std::string alt = join(lit.labels, " or ");
    out += lit.labels.size() > 1 ? "(" + alt + ")" : alt;
  }
  return out;
}

LogView::LogView(std::vector<LogEntry> entries, const TimeScope& scope, int64_t episode_gap_ms)
    : entries_(std::move(entries)), scope_(scope), windows_(scope.windows()), episode_gap_ms_(episode_gap_ms) {
  Intervals all;
  all.reserve(entries_.size());
  for (size_t i = 0; i < entries_.size(); ++i) {
    const auto& e = entries_[i];
    if (!e.t_utc_ms) continue;
    Interval iv{*e.t_utc_ms, *e.t_utc_ms + std::max<int64_t>(e.duration_ms, 1)};
    auto& idx = by_label_[e.text];
    idx.entries.push_back(i);
    idx.raw.push_back(iv);
    idx.modalities.insert(e.modality);
    all.push_back(iv);
  }
  for (auto& [label, idx] : by_label_) idx.covered = normalise(idx.raw);
  all_covered_ = normalise(std::move(all));
}

const LogView::LabelIndex* LogView::index(const std::string& label) const {
  auto it = by_label_.find(label);
  return it == by_label_.end() ? nullptr : &it->second;
}

const std::set<std::string>& LogView::modalities(const std::string& label) const {
  static const std::set<std::string> none;
  const auto* idx = index(label);
  return idx ? idx->modalities : none;
}

std::vector<std::string> LogView::labels_present() const {
  std::vector<std::pair<int64_t, std::string>> totals;
  for (const auto& [label, idx] : by_label_) {
    int64_t d = duration_ms({Literal{{label}, false}});
    if (d > 0) totals.push_back({d, label});
  }
  std::sort(totals.begin(), totals.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  std::vector<std::string> out;
  for (auto& t : totals) out.push_back(t.second);
  return out;
}

Intervals LogView::literal_coverage(const Literal& lit) const {
  Intervals u;
  for (const auto& label : lit.labels) {
    if (const auto* idx = index(label)) u = unite(u, idx->covered);
  }
  return u;
}

Intervals LogView::coverage(const Expression& e) const { return coverage(e, windows_); }

Intervals LogView::coverage(const Expression& e, const Intervals& windows) const {
  Intervals result = intersect(all_covered_, windows);
  for (const auto& lit : e) {
    Intervals c = literal_coverage(lit);
    result = lit.negated ? subtract(result, c) : intersect(result, c);
  }
  return result;
}

int64_t LogView::duration_ms(const Expression& e) const { return duration_ms(e, windows_); }

int64_t LogView::duration_ms(const Expression& e, const Intervals& windows) const {
  if (e.size() == 1 && !e[0].negated && e[0].labels.size() == 1) {
    // One label: the sum of its entries' durations (clipped to the windows), so a log of one
    // entry per minute counts its entries even where consecutive entries overlap or leave holes.
    // Entries of two modalities for one moment are one stretch of time: their union counts.
    const auto* idx = index(e[0].labels[0]);
    if (!idx) return 0;
    if (idx->modalities.size() > 1) return total_length(coverage(e, windows));
    int64_t sum = 0;
    size_t w = 0;
    for (const auto& iv : idx->raw) {
      while (w < windows.size() && windows[w].to <= iv.from) ++w;
      for (size_t k = w; k < windows.size() && windows[k].from < iv.to; ++k) {
        sum += std::max<int64_t>(0, std::min(iv.to, windows[k].to) - std::max(iv.from, windows[k].from));
      }
    }
    return sum;
  }
  return total_length(coverage(e, windows));
}

int64_t LogView::duration_ms(const std::string& label, const std::string& modality, const Intervals& windows) const {
  const auto* idx = index(label);
  if (!idx) return 0;
  int64_t sum = 0;
  size_t w = 0;
  for (size_t k = 0; k < idx->raw.size(); ++k) {
    const auto& iv = idx->raw[k];
    while (w < windows.size() && windows[w].to <= iv.from) ++w;
    if (entries_[idx->entries[k]].modality != modality) continue;
    for (size_t j = w; j < windows.size() && windows[j].from < iv.to; ++j) {
      sum += std::max<int64_t>(0, std::min(iv.to, windows[j].to) - std::max(iv.from, windows[j].from));
    }
  }
  return sum;
}

Intervals LogView::episodes(const Expression& e) const { return episodes(e, windows_); }

Intervals LogView::episodes(const Expression& e, const Intervals& windows) const {
  return bridge_gaps(coverage(e, windows), episode_gap_ms_);
}

Intervals LogView::logged(const Intervals& windows) const { return intersect(all_covered_, windows); }

std::vector<const DaySlice*> LogView::days_with_data() const {
  std::vector<const DaySlice*> out;
  for (const auto& d : scope_.days) {
    if (!logged(d.windows).empty()) out.push_back(&d);
  }
  return out;
}

std::vector<const LogEntry*> LogView::entries_at(int64_t t, int64_t max_distance_ms) const {
  std::vector<const LogEntry*> covering;
  int64_t best = max_distance_ms + 1;
  int64_t best_start = 0;
  for (const auto& e : entries_) {
    if (!e.t_utc_ms) continue;
    int64_t from = *e.t_utc_ms, to = from + std::max<int64_t>(e.duration_ms, 1);
    int64_t dist = t < from ? from - t : t >= to ? t - to + 1 : 0;
    if (dist < best) {
      best = dist;
      best_start = from;
    }
  }
  if (best > max_distance_ms) return covering;
  // Every entry of the instant chosen (all labels logged together).
  for (const auto& e : entries_) {
    if (!e.t_utc_ms) continue;
    int64_t from = *e.t_utc_ms, to = from + std::max<int64_t>(e.duration_ms, 1);
    bool contains = from <= t && t < to;
    if ((best == 0 && contains) || (best > 0 && from == best_start)) covering.push_back(&e);
  }
  return covering;
}

std::vector<const LogEntry*> LogView::entries_in(const Expression& e, const Intervals& within, size_t limit) const {
  std::vector<const LogEntry*> out;
  std::set<size_t> seen;
  for (const auto& lit : e) {
    if (lit.negated) continue;
    for (const auto& label : lit.labels) {
      const auto* idx = index(label);
      if (!idx) continue;
      size_t w = 0;
      for (size_t k = 0; k < idx->raw.size(); ++k) {
        const auto& iv = idx->raw[k];
        while (w < within.size() && within[w].to <= iv.from) ++w;
        if (w < within.size() && within[w].from < iv.to) seen.insert(idx->entries[k]);
      }
    }
  }
  for (size_t i : seen) {
    if (out.size() >= limit) break;
    out.push_back(&entries_[i]);
  }
  return out;
}

}  // namespace imu2clip::assistant
