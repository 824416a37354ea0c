#pragma once
// Temporal smoothing and segmentation of per-window label scores. A person does not switch
// activity every 5 s, so scores are averaged over neighbouring windows before the arg-max,
// runs shorter than `min_run_windows` are absorbed by a neighbour, and consecutive windows
// with the same label become one segment. Invalid windows and gaps between windows split
// segments: the log never claims an activity over time with no data.
#include <cstdint>
#include <vector>

#include "tagger/zeroshot/calibration.h"

namespace imu2clip {

struct ScoredWindow {
  double start_s = 0, end_s = 0;
  bool valid = true;
};

struct SegmenterOptions {
  int smooth_windows = 3;      // centred moving-average width over valid neighbours (1 = off)
  int min_run_windows = 2;     // shorter runs inside a stretch are merged into a neighbour
  double max_join_gap_s = 0.5; // windows further apart than this are not joined
  // Calibrated uncertainty (see calibration.h): with temperature > 0, a window whose smoothed
  // scores give a top softmax(scores / temperature) probability below min_confidence is
  // labelled kUnclearLabel instead of its arg-max.
  double temperature = 0;
  double min_confidence = 0;
};

// `options` with the confidence rule of a model's calibration (unchanged when not enabled).
inline SegmenterOptions calibrated(SegmenterOptions options, const Calibration& calibration) {
  if (calibration.enabled()) {
    options.temperature = calibration.temperature;
    options.min_confidence = calibration.min_confidence;
  }
  return options;
}

// TaggedSegment::label of a stretch the model was not confident about ("unclear motion").
inline constexpr int kUnclearLabel = -1;

struct TaggedSegment {
  double start_s = 0, end_s = 0;
  int label = 0;           // index into the label bank, or kUnclearLabel
  float mean_score = 0.f;  // mean raw (unsmoothed) cosine score of `label` (the top score when unclear)
  int64_t n_windows = 0;
};

// scores: row-major [windows.size() x n_labels]; rows of invalid windows are ignored.
// Windows must be sorted by start time.
// The scores segment_windows decides on: the centred moving average over the valid windows of
// each stretch (rows of invalid windows stay 0). Calibration is fitted on these.
std::vector<float> smooth_window_scores(const std::vector<ScoredWindow>& windows, const std::vector<float>& scores,
                                        int n_labels, const SegmenterOptions& options);

std::vector<TaggedSegment> segment_windows(const std::vector<ScoredWindow>& windows,
                                          const std::vector<float>& scores, int n_labels,
                                          const SegmenterOptions& options);

}  // namespace imu2clip
