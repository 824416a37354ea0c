#pragma once
// ImuSeries (irregular clock) -> UniformSignal (uniform grid at the model's rate).
//
// Upsampling (or equal rates) interpolates linearly between source samples. Downsampling first
// interpolates onto a uniform grid at the source's median rate, low-passes it with a zero-phase
// Kaiser-windowed-sinc FIR (cutoff cutoff_fraction x target rate, default 0.45, so content that
// would alias is removed), then interpolates the filtered signal onto the target grid. The
// filter never reaches across a gap or a NaN sample: it runs per contiguous stretch with
// odd-symmetric edge extension. A source within 1 % of the target rate is not filtered.
//
// Grid samples strictly inside a source gap longer than max_gap_s are invalid (valid = 0, NaN
// values). A NaN source value makes the grid samples that interpolate from it NaN (valid stays
// 1: windowing reports them as NonFinite rather than as a gap).
#include <vector>

#include "tagger/io/imu_series.h"
#include "tagger/signal/uniform_signal.h"

namespace imu2clip {

struct ResampleOptions {
  double target_rate_hz = 200.0;
  double max_gap_s = 0.5;            // longer source gaps are not bridged
  bool anti_alias = true;            // filter before downsampling
  double cutoff_fraction = 0.45;     // low-pass cutoff (-6 dB) as a fraction of the target rate
  double transition_fraction = 0.1;  // transition band width as a fraction of the target rate
  double stopband_db = 60.0;

  // Throws Error(InvalidInput) naming the offending field.
  void validate() const;
};

// Throws Error(InvalidInput) for an empty series or invalid options.
UniformSignal resample(const ImuSeries& series, const ResampleOptions& options = {});

// Median of the sample intervals, as a rate; 0 for fewer than two samples.
double median_sample_rate_hz(const ImuSeries& series);

// Linear-phase low-pass taps, odd length, unit DC gain. Frequencies in cycles per sample.
std::vector<float> design_lowpass_fir(double cutoff, double transition_width, double stopband_db);

}  // namespace imu2clip
