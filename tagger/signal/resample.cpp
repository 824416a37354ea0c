#include "tagger/signal/resample.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "common/error.h"

namespace imu2clip {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr double kTimeTol = 1e-9;  // s; grid/source times closer than this coincide
// Sources this close to the target rate carry (almost) nothing above the target's Nyquist.
constexpr double kNoFilterRatio = 1.01;

// Number of grid points at `rate` covering [first, last] of the series.
size_t grid_size(const ImuSeries& s, double rate) {
  return static_cast<size_t>(std::floor(s.duration_s() * rate + 1e-6)) + 1;
}

// Walks the source clock alongside a monotone grid: for time t gives the source interval
// [i, i+1] with t_i <= t < t_{i+1} and whether t lies strictly inside a gap.
class SourceCursor {
 public:
  SourceCursor(const std::vector<double>& t, double max_gap) : t_(t), max_gap_(max_gap) {}
  void seek(double t) {
    while (i_ + 1 < t_.size() && t_[i_ + 1] <= t + kTimeTol) ++i_;
  }
  size_t index() const { return i_; }
  bool at_end() const { return i_ + 1 >= t_.size(); }
  bool in_gap(double t) const {
    if (at_end()) return false;
    return t_[i_ + 1] - t_[i_] > max_gap_ && t > t_[i_] + kTimeTol && t < t_[i_ + 1] - kTimeTol;
  }
  // Interpolation weight of sample i+1 (0 means exactly on sample i).
  double weight(double t) const {
    if (at_end()) return 0.0;
    const double w = (t - t_[i_]) / (t_[i_ + 1] - t_[i_]);
    return w < 1e-9 ? 0.0 : std::min(w, 1.0);
  }

 private:
  const std::vector<double>& t_;
  double max_gap_;
  size_t i_ = 0;
};

inline float lerp(float a, float b, double w) {
  return w == 0.0 ? a : static_cast<float>(a + w * (static_cast<double>(b) - a));
}

// Linear interpolation of the series onto n points t0 + k/rate; marks gap samples invalid.
void interpolate_onto_grid(const ImuSeries& s, double rate, size_t n, double max_gap,
                           std::array<std::vector<float>, 6>& out, std::vector<uint8_t>& valid) {
  for (auto& c : out) c.resize(n);
  valid.resize(n);
  SourceCursor cur(s.t_s, max_gap);
  const double t0 = s.t_s.front();
  for (size_t k = 0; k < n; ++k) {
    const double t = t0 + static_cast<double>(k) / rate;
    cur.seek(t);
    const size_t i = cur.index();
    if (cur.in_gap(t)) {
      valid[k] = 0;
      for (auto& c : out) c[k] = kNaN;
      continue;
    }
    valid[k] = 1;
    const double w = cur.weight(t);
    const size_t j = cur.at_end() ? i : i + 1;
    for (int c = 0; c < 6; ++c) out[c][k] = lerp(s.ch[c][i], s.ch[c][j], w);
  }
}

double bessel_i0(double x) {
  double sum = 1.0, term = 1.0;
  for (int k = 1; k < 60; ++k) {
    term *= (x / (2.0 * k)) * (x / (2.0 * k));
    sum += term;
    if (term < 1e-12 * sum) break;
  }
  return sum;
}

// Zero-phase FIR evaluated only where the output grid needs it, within one contiguous run
// [begin, end) of usable samples; outside the run the signal is extended odd-symmetrically
// (2*x_edge - mirror), which keeps DC and slope at the edges instead of pulling them to zero.
class RunFilter {
 public:
  explicit RunFilter(const std::vector<float>& taps)
      : half_(taps.size() / 2), h_(taps.begin() + static_cast<long>(taps.size() / 2), taps.end()) {}

  float at(const float* x, size_t j, size_t begin, size_t end) const {
    if (j >= begin + half_ && j + half_ < end) {
      const float* c = x + j;
      float acc = h_[0] * c[0];
#pragma omp simd reduction(+ : acc)
      for (size_t m = 1; m <= half_; ++m) acc += h_[m] * (c[-static_cast<long>(m)] + c[m]);
      return acc;
    }
    float acc = h_[0] * x[j];
    for (size_t m = 1; m <= half_; ++m)
      acc += h_[m] * (extended(x, static_cast<long>(j) - static_cast<long>(m), begin, end) +
                      extended(x, static_cast<long>(j + m), begin, end));
    return acc;
  }

 private:
  static float extended(const float* x, long idx, size_t begin, size_t end) {
    const long b = static_cast<long>(begin), e = static_cast<long>(end) - 1;
    if (idx < b) {
      const long r = std::min(2 * b - idx, e);
      return 2.0f * x[b] - x[r];
    }
    if (idx > e) {
      const long r = std::max(2 * e - idx, b);
      return 2.0f * x[e] - x[r];
    }
    return x[idx];
  }

  size_t half_;
  std::vector<float> h_;  // h_[m] = taps[center + m]
};

// Contiguous stretches of samples that are inside no gap and finite.
std::vector<std::pair<size_t, size_t>> usable_runs(const std::vector<float>& x,
                                                   const std::vector<uint8_t>& valid) {
  std::vector<std::pair<size_t, size_t>> runs;
  size_t k = 0;
  const size_t n = x.size();
  while (k < n) {
    while (k < n && !(valid[k] && std::isfinite(x[k]))) ++k;
    const size_t b = k;
    while (k < n && valid[k] && std::isfinite(x[k])) ++k;
    if (k > b) runs.emplace_back(b, k);
  }
  return runs;
}

UniformSignal downsample(const ImuSeries& s, const ResampleOptions& o, double src_rate) {
  UniformSignal out;
  out.rate_hz = o.target_rate_hz;
  out.t0_s = s.t_s.front();
  out.source_rate_hz = src_rate;
  out.anti_aliased = true;
  const size_t n = grid_size(s, o.target_rate_hz);
  const size_t ni = grid_size(s, src_rate);

  // Validity of target samples comes from the source clock directly.
  out.valid.resize(n);
  {
    SourceCursor cur(s.t_s, o.max_gap_s);
    for (size_t k = 0; k < n; ++k) {
      const double t = out.t0_s + static_cast<double>(k) / o.target_rate_hz;
      cur.seek(t);
      out.valid[k] = cur.in_gap(t) ? 0 : 1;
    }
  }

  std::array<std::vector<float>, 6> mid;
  std::vector<uint8_t> mid_valid;
  interpolate_onto_grid(s, src_rate, ni, o.max_gap_s, mid, mid_valid);

  const std::vector<float> taps =
      design_lowpass_fir(o.cutoff_fraction * o.target_rate_hz / src_rate,
                         o.transition_fraction * o.target_rate_hz / src_rate, o.stopband_db);
  const RunFilter filter(taps);
  const double step = src_rate / o.target_rate_hz;  // intermediate samples per target sample

  for (int c = 0; c < 6; ++c) {
    const std::vector<float>& x = mid[c];
    const auto runs = usable_runs(x, mid_valid);
    std::vector<float>& y = out.ch[c];
    y.assign(n, kNaN);
    size_t r = 0;  // current run
    size_t cached_j = SIZE_MAX;
    float cached = 0;
    auto filtered = [&](size_t j) {
      if (j != cached_j) {
        while (r < runs.size() && runs[r].second <= j) ++r;
        cached = filter.at(x.data(), j, runs[r].first, runs[r].second);
        cached_j = j;
      }
      return cached;
    };
    for (size_t k = 0; k < n; ++k) {
      if (!out.valid[k]) continue;
      const double p = static_cast<double>(k) * step;
      size_t j = static_cast<size_t>(std::floor(p + 1e-9));
      if (j >= ni) j = ni - 1;
      double w = p - static_cast<double>(j);
      if (w < 1e-9 || j + 1 >= ni) w = 0;
      const bool use0 = mid_valid[j] && std::isfinite(x[j]);
      const bool use1 = w > 0 && mid_valid[j + 1] && std::isfinite(x[j + 1]);
      // A NaN neighbour (not a gap) poisons the sample: windowing must see it.
      const bool nan0 = mid_valid[j] && !std::isfinite(x[j]);
      const bool nan1 = w > 0 && mid_valid[j + 1] && !std::isfinite(x[j + 1]);
      if (nan0 || nan1) continue;
      if (use0 && use1) {
        const float a = filtered(j);
        y[k] = lerp(a, filtered(j + 1), w);
      } else if (use0) {
        y[k] = filtered(j);
      } else if (use1) {
        y[k] = filtered(j + 1);
      }
    }
  }
  return out;
}

}  // namespace

size_t UniformSignal::invalid_count() const {
  return static_cast<size_t>(std::count(valid.begin(), valid.end(), uint8_t{0}));
}

void ResampleOptions::validate() const {
  auto bad = [](const char* field, const std::string& msg) {
    throw Error(ErrorKind::InvalidInput, msg, {"", 0, field});
  };
  if (!(target_rate_hz > 0) || !std::isfinite(target_rate_hz))
    bad("target_rate_hz", "must be a positive rate in Hz");
  if (!(max_gap_s >= 0) || !std::isfinite(max_gap_s)) bad("max_gap_s", "must be >= 0 seconds");
  if (!(cutoff_fraction > 0 && cutoff_fraction < 0.5))
    bad("cutoff_fraction", "must be in (0, 0.5): a fraction of the target rate below its Nyquist");
  if (!(transition_fraction > 0 && transition_fraction <= 0.5))
    bad("transition_fraction", "must be in (0, 0.5]");
  if (!(stopband_db >= 20 && stopband_db <= 150)) bad("stopband_db", "must be in [20, 150] dB");
}

double median_sample_rate_hz(const ImuSeries& s) {
  const size_t n = s.size();
  if (n < 2) return 0.0;
  // A strided sample of intervals is plenty for a median and keeps 24 h files cheap.
  const size_t stride = std::max<size_t>(1, (n - 1) / 200000);
  std::vector<double> dt;
  dt.reserve((n - 1) / stride + 1);
  for (size_t i = 1; i < n; i += stride) dt.push_back(s.t_s[i] - s.t_s[i - 1]);
  auto mid = dt.begin() + static_cast<long>(dt.size() / 2);
  std::nth_element(dt.begin(), mid, dt.end());
  return *mid > 0 ? 1.0 / *mid : 0.0;
}

std::vector<float> design_lowpass_fir(double cutoff, double transition_width, double stopband_db) {
  if (!(cutoff > 0 && cutoff < 0.5) || !(transition_width > 0))
    throw Error(ErrorKind::InvalidInput,
                "low-pass cutoff must be in (0, 0.5) cycles/sample and the transition positive",
                {"", 0, "cutoff"});
  // Kaiser's formulas for length and shape from attenuation and transition width.
  const double a = stopband_db;
  const double beta = a > 50 ? 0.1102 * (a - 8.7) : a >= 21 ? 0.5842 * std::pow(a - 21, 0.4) + 0.07886 * (a - 21) : 0.0;
  size_t len = static_cast<size_t>(std::ceil((a - 8) / (2.285 * 2 * M_PI * transition_width))) + 1;
  len = std::max<size_t>(len, 3) | 1;
  const long half = static_cast<long>(len / 2);
  std::vector<double> h(len);
  double sum = 0;
  const double i0beta = bessel_i0(beta);
  for (long m = -half; m <= half; ++m) {
    const double x = 2 * cutoff * m;
    const double sinc = m == 0 ? 1.0 : std::sin(M_PI * x) / (M_PI * x);
    const double r = static_cast<double>(m) / half;
    const double win = bessel_i0(beta * std::sqrt(std::max(0.0, 1 - r * r))) / i0beta;
    h[m + half] = 2 * cutoff * sinc * win;
    sum += h[m + half];
  }
  std::vector<float> taps(len);
  for (size_t i = 0; i < len; ++i) taps[i] = static_cast<float>(h[i] / sum);
  return taps;
}

UniformSignal resample(const ImuSeries& series, const ResampleOptions& options) {
  options.validate();
  if (series.size() == 0)
    throw Error(ErrorKind::InvalidInput, "cannot resample an empty recording", {series.source, 0, ""});
  const double src_rate = median_sample_rate_hz(series);
  if (options.anti_alias && src_rate > options.target_rate_hz * kNoFilterRatio)
    return downsample(series, options, src_rate);
  UniformSignal out;
  out.rate_hz = options.target_rate_hz;
  out.t0_s = series.t_s.front();
  out.source_rate_hz = src_rate;
  interpolate_onto_grid(series, options.target_rate_hz, grid_size(series, options.target_rate_hz),
                        options.max_gap_s, out.ch, out.valid);
  return out;
}

}  // namespace imu2clip
