#pragma once
// Cuts a live session's stored raw samples into the model's windows on ONE time grid anchored
// at the session's first sample, chunk by chunk, so a window may span batches and every window
// is cut exactly once, at the same place the batch tagger would cut it in the whole recording.
//
// Each chunk is resampled from an anchor grid point a little before the next window (the
// margin covers the anti-alias filter's reach), so the window does not see the chunk's edge.
// The anchor value is the linear interpolation of the two raw samples around it: exactly what
// the resampler computes for that grid point. Windows are only planned once the data reaches
// past their last sample (plus the margin unless the session is final).
#include <cstdint>
#include <vector>

#include "storage/live_sample_store.h"
#include "tagger/signal/resample.h"
#include "tagger/signal/window.h"

namespace imu2clip {

struct LiveWindowing {
  double rate_hz = 50;         // the model's rate
  int window_samples = 250;    // L
  ResampleOptions resample;    // target_rate_hz = rate_hz
  WindowOptions window;        // size_s = stride_s = L / rate_hz
  double margin_ms = 800;      // raw data kept before the next window / awaited after a window

  // From the model's rate and window; gap and validity rules as the batch tagger's defaults.
  static LiveWindowing for_model(double rate_hz, int window_samples, double max_gap_s = 0.5,
                                 double min_valid_fraction = 0.9);
  double step_ms() const { return 1000.0 / rate_hz; }
  double stride_ms() const { return window_samples * step_ms(); }
  // Start of window j relative to the session start, in seconds, computed like the batch
  // tagger's (first sample index / rate) so both give the same window keys.
  double window_start_s(int64_t j) const {
    return static_cast<double>(j * window_samples) / rate_hz;
  }
};

struct LiveChunk {
  UniformSignal signal;              // sample 0 = start of window first_window
  int64_t first_window = 0;          // global index j of windows[0]
  std::vector<WindowSpec> windows;   // consecutive windows; start_s/end_s relative to the session start
};

// Plans windows first_window, first_window + 1, ... of the session that starts at
// session_start_ms, from its stored samples (time order, including at least one sample at or
// before the anchor), keeping those whose last grid sample is at or before usable_end_ms, at
// most max_windows. Empty when the data does not yet complete the next window. When the first
// sample lies after the next window's start (the samples before it were deleted), the windows
// starting before that sample are planned as gaps.
LiveChunk plan_live_chunk(const LiveWindowing& w, int64_t session_start_ms, int64_t first_window,
                          const std::vector<LiveSample>& samples, double usable_end_ms, size_t max_windows);

}  // namespace imu2clip
