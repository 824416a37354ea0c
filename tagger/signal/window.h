#pragma once
// Cuts a UniformSignal into fixed-length windows for the encoder. Every full window is planned
// and classified; a window that cannot be encoded honestly (gap, too few valid samples, NaN)
// carries its reason and is never handed to the model as zeros. A trailing partial window is
// not emitted; WindowPlan says how much signal it holds.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "tagger/signal/uniform_signal.h"

namespace imu2clip {

struct WindowOptions {
  double size_s = 5;
  double stride_s = 5;
  double max_gap_s = 0.5;             // longer runs of invalid samples make the window a Gap
  double min_valid_fraction = 0.9;    // fewer valid samples make it TooFewSamples

  // Throws Error(InvalidInput) naming the field: stride > 0, size * rate >= 1 sample, ...
  void validate(double rate_hz) const;
  int samples(double rate_hz) const;         // window length in samples
  int stride_samples(double rate_hz) const;  // step between window starts in samples
};

enum class WindowStatus { Ok, Gap, TooFewSamples, NonFinite };
const char* to_string(WindowStatus status);  // "ok", "gap", "too_few_samples", "non_finite"

struct WindowSpec {
  int64_t index = 0;
  double start_s = 0, end_s = 0;  // [start, end) on the signal's clock
  size_t first_sample = 0;
  WindowStatus status = WindowStatus::Ok;
  std::string reason;  // empty when Ok, e.g. "gap of 1.30 s at 12.00 s"
};

struct WindowPlan {
  int samples_per_window = 0;
  int stride_samples = 0;
  std::vector<WindowSpec> windows;  // every full window, in time order
  // The next window start that did not fit: a partial window, not emitted.
  bool has_trailing_partial = false;
  double trailing_partial_start_s = 0;
  double trailing_partial_s = 0;  // its duration

  size_t count(WindowStatus status) const;
};

WindowPlan plan_windows(const UniformSignal& signal, const WindowOptions& options);

// Writes the window as [6][samples] channel-major floats (ax ay az gx gy gz). Invalid samples
// the plan tolerated (runs no longer than max_gap_s) are bridged linearly from the nearest
// valid samples, exactly like the resampler bridges short source gaps. Throws
// Error(InvalidInput) for a window whose status is not Ok or that does not fit the signal.
void copy_window(const UniformSignal& signal, const WindowSpec& window, int samples, float* out);

}  // namespace imu2clip
