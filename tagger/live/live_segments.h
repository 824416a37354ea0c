#pragma once
// Segments of a growing live recording. Recomputing a whole day's segments after every batch
// would cost O(recording) per batch, so only the recent part is kept in memory and
// re-segmented: once a segment boundary lies `keep_windows` windows in the past, the segments
// before it are final (stored once, never rewritten) and their windows are dropped.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "tagger/zeroshot/segmenter.h"

namespace imu2clip {

class LiveSegments {
 public:
  // from_s: segments that start before this are final (already stored by an earlier run).
  LiveSegments(int n_labels, SegmenterOptions options, size_t keep_windows, double from_s);

  // Appends a window (in time order); `scores` (n_labels floats) is ignored for invalid ones.
  void add(const ScoredWindow& window, const float* scores);
  // Segments of the windows since from_s().
  std::vector<TaggedSegment> segments() const;
  // Where the recomputed part starts: stored segments at or after it are replaced.
  double from_s() const { return from_s_; }
  // Makes final every segment of `segs` (the result of segments()) that ends more than
  // keep_windows windows before the latest one; moves from_s() past them.
  void freeze(const std::vector<TaggedSegment>& segs);
  size_t windows_in_memory() const { return windows_.size(); }

 private:
  int n_labels_;
  SegmenterOptions options_;
  size_t keep_windows_;
  double from_s_;
  std::vector<ScoredWindow> windows_;
  std::vector<float> scores_;
};

}  // namespace imu2clip
