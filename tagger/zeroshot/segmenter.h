#pragma once
// Temporal smoothing and segmentation of per-window label scores. A person does not switch
// activity every 5 s, so scores are averaged over neighbouring windows before the arg-max,
// runs shorter than `min_run_windows` are absorbed by a neighbour, and consecutive windows
// with the same label become one segment. Invalid windows and gaps between windows split
// segments: the log never claims an activity over time with no data.
#include <cstdint>
#include <vector>

namespace imu2clip {

struct ScoredWindow {
  double start_s = 0, end_s = 0;
  bool valid = true;
};

struct SegmenterOptions {
  int smooth_windows = 3;      // centred moving-average width over valid neighbours (1 = off)
  int min_run_windows = 2;     // shorter runs inside a stretch are merged into a neighbour
  double max_join_gap_s = 0.5; // windows further apart than this are not joined
};

struct TaggedSegment {
  double start_s = 0, end_s = 0;
  int label = 0;
  float mean_score = 0.f;  // mean raw (unsmoothed) cosine score of `label` over the segment
  int64_t n_windows = 0;
};

// scores: row-major [windows.size() x n_labels]; rows of invalid windows are ignored.
// Windows must be sorted by start time.
std::vector<TaggedSegment> segment_windows(const std::vector<ScoredWindow>& windows,
                                          const std::vector<float>& scores, int n_labels,
                                          const SegmenterOptions& options);

}  // namespace imu2clip
