#include "tagger/audio/audio_gate.h"

#include <kiss_fftr.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <vector>

#include "common/error.h"

namespace imu2clip {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr int kBlock = 512;      // samples per level block and per FFT frame
constexpr int kMaxFrames = 32;   // FFT frames averaged for the flatness
// Added to every bin's power so that log(0) never happens; far below the power of a -100
// dBFS signal, and it makes digital silence perfectly flat.
constexpr double kPowerEpsilon = 1e-20;

double to_dbfs(double mean_square) {
  if (mean_square <= 0) return kSilenceDbfs;
  return std::max(kSilenceDbfs, 10.0 * std::log10(mean_square));
}

struct FftFree {
  void operator()(kiss_fftr_state* s) const { kiss_fftr_free(s); }
};

// Flatness of the power spectrum averaged over up to kMaxFrames Hann-windowed frames spread
// evenly over the window (Welch's method: averaging makes white noise read near 1 instead of
// the ~0.56 of a single frame's chi-squared bins). DC is left out: an offset is not a sound.
double spectral_flatness(const float* x, int64_t n) {
  const int len = static_cast<int>(std::min<int64_t>(n, kBlock));
  const int n_frames = static_cast<int>(std::clamp<int64_t>((n + kBlock - 1) / kBlock, 1, kMaxFrames));
  std::vector<float> window(static_cast<size_t>(len));
  for (int i = 0; i < len; ++i) {
    window[static_cast<size_t>(i)] = static_cast<float>(0.5 - 0.5 * std::cos(2.0 * kPi * i / len));
  }
  std::unique_ptr<kiss_fftr_state, FftFree> fft(kiss_fftr_alloc(kBlock, 0, nullptr, nullptr));
  if (!fft) throw Error(ErrorKind::Internal, "kiss_fftr_alloc failed");
  std::vector<float> frame(kBlock, 0.0f);
  std::vector<kiss_fft_cpx> spectrum(kBlock / 2 + 1);
  std::vector<double> power(kBlock / 2 + 1, 0.0);
  for (int f = 0; f < n_frames; ++f) {
    const int64_t start = n_frames == 1 ? 0 : (n - len) * f / (n_frames - 1);
    for (int i = 0; i < len; ++i) frame[static_cast<size_t>(i)] = x[start + i] * window[static_cast<size_t>(i)];
    kiss_fftr(fft.get(), frame.data(), spectrum.data());
    for (size_t k = 1; k < spectrum.size(); ++k) {
      power[k] += static_cast<double>(spectrum[k].r) * spectrum[k].r +
                  static_cast<double>(spectrum[k].i) * spectrum[k].i;
    }
  }
  double log_sum = 0, sum = 0;
  const size_t bins = power.size() - 1;
  for (size_t k = 1; k < power.size(); ++k) {
    const double p = power[k] / n_frames + kPowerEpsilon;
    log_sum += std::log(p);
    sum += p;
  }
  return std::exp(log_sum / bins) / (sum / bins);
}

}  // namespace

GateResult gate_window(const float* x, int64_t n, const AudioGateOptions& options) {
  GateResult r;
  if (n <= 0) {
    r.quiet = true;
    r.rms_dbfs = r.peak_block_dbfs = kSilenceDbfs;
    r.spectral_flatness = 1;
    return r;
  }
  double total = 0, peak_block = 0;
  bool finite = true;
  // Mean square of every full block that is not exact digital zero: zero padding and dropouts
  // are no sound, and left in they would make steady hiss look uneven.
  std::vector<double> block_levels;
  block_levels.reserve(static_cast<size_t>(n / kBlock));
  for (int64_t start = 0; start < n; start += kBlock) {
    const int64_t end = std::min<int64_t>(n, start + kBlock);
    double block = 0;
    for (int64_t i = start; i < end; ++i) {
      const double v = x[i];
      block += v * v;
    }
    if (!std::isfinite(block)) {
      finite = false;
      break;
    }
    total += block;
    // A trailing partial block counts only when it is the whole window: a few samples alone
    // would make a noisy level.
    if (end - start == kBlock || start == 0) peak_block = std::max(peak_block, block / (end - start));
    if (end - start == kBlock && block > 0) block_levels.push_back(block / kBlock);
  }
  if (!finite) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    r.non_finite = true;
    r.rms_dbfs = r.peak_block_dbfs = r.level_spread_db = r.spectral_flatness = nan;
    return r;
  }
  r.rms_dbfs = to_dbfs(total / n);
  r.peak_block_dbfs = to_dbfs(peak_block);
  if (block_levels.size() >= 2) {
    // Percentiles of mean squares are those of their dB levels (the map is monotonic).
    const auto at = [&](double q) {
      auto it = block_levels.begin() + static_cast<std::ptrdiff_t>(q * static_cast<double>(block_levels.size() - 1));
      std::nth_element(block_levels.begin(), it, block_levels.end());
      return to_dbfs(*it);
    };
    const double p90 = at(0.9);
    r.level_spread_db = p90 - at(0.1);
  }
  r.spectral_flatness = spectral_flatness(x, n);
  if (r.rms_dbfs < options.noise_floor_dbfs) {
    r.quiet = true;
  } else if (r.rms_dbfs < options.quiet_below_dbfs) {
    r.quiet = r.spectral_flatness >= options.quiet_min_flatness &&
              r.level_spread_db <= options.quiet_max_level_spread_db &&
              r.peak_block_dbfs < options.quiet_below_dbfs;
  }
  return r;
}

}  // namespace imu2clip
