#include "assistant/intervals.h"

#include <algorithm>

namespace imu2clip::assistant {

Intervals normalise(Intervals raw) {
  raw.erase(std::remove_if(raw.begin(), raw.end(), [](const Interval& i) { return i.to <= i.from; }), raw.end());
  std::sort(raw.begin(), raw.end(), [](const Interval& a, const Interval& b) { return a.from < b.from; });
  Intervals out;
  for (const auto& i : raw) {
    if (!out.empty() && i.from <= out.back().to) {
      out.back().to = std::max(out.back().to, i.to);
    } else {
      out.push_back(i);
    }
  }
  return out;
}

Intervals unite(const Intervals& a, const Intervals& b) {
  Intervals all(a);
  all.insert(all.end(), b.begin(), b.end());
  return normalise(std::move(all));
}

Intervals intersect(const Intervals& a, const Intervals& b) {
  Intervals out;
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    int64_t from = std::max(a[i].from, b[j].from);
    int64_t to = std::min(a[i].to, b[j].to);
    if (from < to) out.push_back({from, to});
    if (a[i].to < b[j].to) {
      ++i;
    } else {
      ++j;
    }
  }
  return out;
}

Intervals subtract(const Intervals& a, const Intervals& b) {
  Intervals out;
  size_t j = 0;
  for (const auto& iv : a) {
    int64_t from = iv.from;
    while (j < b.size() && b[j].to <= from) ++j;
    size_t k = j;
    while (k < b.size() && b[k].from < iv.to) {
      if (b[k].from > from) out.push_back({from, b[k].from});
      from = std::max(from, b[k].to);
      ++k;
    }
    if (from < iv.to) out.push_back({from, iv.to});
  }
  return out;
}

int64_t total_length(const Intervals& a) {
  int64_t sum = 0;
  for (const auto& i : a) sum += i.length();
  return sum;
}

Intervals bridge_gaps(const Intervals& a, int64_t gap_ms) {
  Intervals out;
  for (const auto& i : a) {
    if (!out.empty() && i.from - out.back().to <= gap_ms) {
      out.back().to = std::max(out.back().to, i.to);
    } else {
      out.push_back(i);
    }
  }
  return out;
}

}  // namespace imu2clip::assistant
