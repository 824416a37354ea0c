#pragma once
// Sorted, disjoint [from, to) intervals of UTC ms, and the set operations the answerer needs
// ("at home and not sleeping" = home minus sleeping). All linear in the input sizes.
#include <cstdint>
#include <vector>

namespace imu2clip::assistant {

struct Interval {
  int64_t from = 0;
  int64_t to = 0;
  int64_t length() const { return to - from; }
};
using Intervals = std::vector<Interval>;

// Sorts and merges overlapping or touching intervals; drops empty ones.
Intervals normalise(Intervals raw);
Intervals unite(const Intervals& a, const Intervals& b);
Intervals intersect(const Intervals& a, const Intervals& b);
Intervals subtract(const Intervals& a, const Intervals& b);
int64_t total_length(const Intervals& a);
// Joins neighbours separated by at most `gap_ms`: the episodes of an activity logged minute by
// minute with short holes.
Intervals bridge_gaps(const Intervals& a, int64_t gap_ms);

}  // namespace imu2clip::assistant
