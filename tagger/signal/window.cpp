#include "tagger/signal/window.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "common/error.h"
#include "tagger/io/imu_series.h"

namespace imu2clip {
namespace {

struct Run {
  size_t begin, end;  // [begin, end)
  int channel = -1;   // non-finite runs: first channel found non-finite
};

std::string format(const char* fmt, double a, double b = 0) {
  char buf[128];
  std::snprintf(buf, sizeof buf, fmt, a, b);
  return buf;
}

std::vector<Run> invalid_runs(const UniformSignal& s) {
  std::vector<Run> runs;
  const size_t n = s.size();
  size_t k = 0;
  while (k < n) {
    const void* z = std::memchr(s.valid.data() + k, 0, n - k);
    if (!z) break;
    k = static_cast<size_t>(static_cast<const uint8_t*>(z) - s.valid.data());
    const size_t b = k;
    while (k < n && !s.valid[k]) ++k;
    runs.push_back({b, k});
  }
  return runs;
}

// Valid samples holding NaN/inf in any channel.
std::vector<Run> nonfinite_runs(const UniformSignal& s) {
  std::vector<Run> runs;
  const size_t n = s.size();
  std::vector<uint8_t> bad(n, 0);
  for (int c = 0; c < 6; ++c) {
    const float* x = s.ch[c].data();
    for (size_t k = 0; k < n; ++k)
      if (!std::isfinite(x[k]) && s.valid[k] && !bad[k]) bad[k] = static_cast<uint8_t>(c + 1);
  }
  for (size_t k = 0; k < n;) {
    if (!bad[k]) {
      ++k;
      continue;
    }
    const size_t b = k;
    while (k < n && bad[k]) ++k;
    runs.push_back({b, k, bad[b] - 1});
  }
  return runs;
}

// First run overlapping [a, b), or runs.end().
std::vector<Run>::const_iterator first_overlap(const std::vector<Run>& runs, size_t a, size_t b) {
  auto it = std::upper_bound(runs.begin(), runs.end(), a,
                             [](size_t v, const Run& r) { return v < r.end; });
  return it != runs.end() && it->begin < b ? it : runs.end();
}

}  // namespace

const char* to_string(WindowStatus status) {
  switch (status) {
    case WindowStatus::Ok: return "ok";
    case WindowStatus::Gap: return "gap";
    case WindowStatus::TooFewSamples: return "too_few_samples";
    case WindowStatus::NonFinite: return "non_finite";
  }
  return "?";
}

void WindowOptions::validate(double rate_hz) const {
  auto bad = [](const char* field, const std::string& msg) {
    throw Error(ErrorKind::InvalidInput, msg, {"", 0, field});
  };
  if (!(rate_hz > 0) || !std::isfinite(rate_hz)) bad("rate_hz", "signal rate must be positive");
  if (!(size_s > 0) || !std::isfinite(size_s)) bad("size_s", "window size must be > 0 seconds");
  if (!(stride_s > 0) || !std::isfinite(stride_s)) bad("stride_s", "window stride must be > 0 seconds");
  if (std::lround(size_s * rate_hz) < 1)
    bad("size_s", format("window of %.4g s holds no sample at %.4g Hz; use a longer window", size_s, rate_hz));
  if (std::lround(stride_s * rate_hz) < 1)
    bad("stride_s", format("stride of %.4g s is shorter than one sample at %.4g Hz", stride_s, rate_hz));
  if (size_s * rate_hz > 1e8) bad("size_s", "window size is unreasonably large");
  if (!(max_gap_s >= 0) || !std::isfinite(max_gap_s)) bad("max_gap_s", "must be >= 0 seconds");
  if (!(min_valid_fraction >= 0 && min_valid_fraction <= 1))
    bad("min_valid_fraction", "must be between 0 and 1");
}

int WindowOptions::samples(double rate_hz) const { return static_cast<int>(std::lround(size_s * rate_hz)); }
int WindowOptions::stride_samples(double rate_hz) const {
  return static_cast<int>(std::lround(stride_s * rate_hz));
}

size_t WindowPlan::count(WindowStatus status) const {
  return static_cast<size_t>(std::count_if(windows.begin(), windows.end(),
                                           [&](const WindowSpec& w) { return w.status == status; }));
}

WindowPlan plan_windows(const UniformSignal& s, const WindowOptions& o) {
  o.validate(s.rate_hz);
  if (s.valid.size() != s.ch[0].size())
    throw Error(ErrorKind::Internal, "UniformSignal has inconsistent channel and mask sizes");
  WindowPlan plan;
  plan.samples_per_window = o.samples(s.rate_hz);
  plan.stride_samples = o.stride_samples(s.rate_hz);
  const size_t len = static_cast<size_t>(plan.samples_per_window);
  const size_t stride = static_cast<size_t>(plan.stride_samples);
  const size_t n = s.size();
  const auto gaps = invalid_runs(s);
  const auto nans = nonfinite_runs(s);

  size_t first = 0;
  for (int64_t index = 0; first + len <= n; ++index, first += stride) {
    WindowSpec w;
    w.index = index;
    w.first_sample = first;
    w.start_s = s.time_of(first);
    w.end_s = s.time_of(first + len);
    const size_t last = first + len;
    size_t invalid = 0;
    for (auto it = first_overlap(gaps, first, last); it != gaps.end() && it->begin < last; ++it) {
      invalid += std::min(it->end, last) - std::max(it->begin, first);
      // The run's duration is the span between the valid samples around it.
      const double gap_s = static_cast<double>(it->end - it->begin + 1) / s.rate_hz;
      if (gap_s > o.max_gap_s && w.status == WindowStatus::Ok) {
        w.status = WindowStatus::Gap;
        w.reason = format("gap of %.2f s at %.2f s", gap_s,
                          s.time_of(it->begin > 0 ? it->begin - 1 : it->begin));
      }
    }
    const double valid_fraction = 1.0 - static_cast<double>(invalid) / static_cast<double>(len);
    if (w.status == WindowStatus::Ok && valid_fraction < o.min_valid_fraction) {
      w.status = WindowStatus::TooFewSamples;
      w.reason = format("only %.1f%% of samples valid (needs %.0f%%)", 100 * valid_fraction,
                        100 * o.min_valid_fraction);
    }
    if (w.status == WindowStatus::Ok) {
      auto it = first_overlap(nans, first, last);
      if (it != nans.end()) {
        const size_t at = std::max(it->begin, first);
        w.status = WindowStatus::NonFinite;
        w.reason = std::string("non-finite value in ") + imu_channel_name(it->channel) +
                   format(" at %.2f s", s.time_of(at));
      }
    }
    plan.windows.push_back(std::move(w));
  }
  if (first < n) {
    plan.has_trailing_partial = true;
    plan.trailing_partial_start_s = s.time_of(first);
    plan.trailing_partial_s = static_cast<double>(n - first) / s.rate_hz;
  }
  return plan;
}

void copy_window(const UniformSignal& s, const WindowSpec& w, int samples, float* out) {
  if (w.status != WindowStatus::Ok)
    throw Error(ErrorKind::InvalidInput,
                "window " + std::to_string(w.index) + " is not encodable (" + to_string(w.status) +
                    ": " + w.reason + ")",
                {"", 0, "window"});
  if (samples <= 0 || w.first_sample + static_cast<size_t>(samples) > s.size())
    throw Error(ErrorKind::InvalidInput,
                "window " + std::to_string(w.index) + " of " + std::to_string(samples) +
                    " samples does not fit a signal of " + std::to_string(s.size()) + " samples",
                {"", 0, "samples"});
  const size_t n = static_cast<size_t>(samples);
  const size_t a = w.first_sample;
  for (int c = 0; c < 6; ++c) {
    const float* x = s.ch[c].data() + a;
    float* y = out + static_cast<size_t>(c) * n;
    std::copy(x, x + n, y);
  }
  // Bridge the short invalid runs the plan accepted.
  for (size_t k = 0; k < n;) {
    if (s.valid[a + k]) {
      ++k;
      continue;
    }
    size_t b = a + k, e = b;
    while (b > 0 && !s.valid[b - 1]) --b;  // the run may start before the window
    while (e < s.size() && !s.valid[e]) ++e;
    const bool has_left = b > 0, has_right = e < s.size();
    if (!has_left && !has_right)
      throw Error(ErrorKind::InvalidInput, "window has no valid sample", {"", 0, "window"});
    const size_t stop = std::min(e, a + n);
    for (int c = 0; c < 6; ++c) {
      const float* x = s.ch[c].data();
      float* y = out + static_cast<size_t>(c) * n;
      for (size_t idx = a + k; idx < stop; ++idx) {
        if (!has_left || !has_right) {  // only at the signal's ends: hold the nearest value
          y[idx - a] = has_left ? x[b - 1] : x[e];
          continue;
        }
        const double t = static_cast<double>(idx - b + 1) / static_cast<double>(e - b + 1);
        y[idx - a] = static_cast<float>(x[b - 1] + t * (static_cast<double>(x[e]) - x[b - 1]));
      }
    }
    k = e - a;
  }
  for (size_t i = 0; i < 6 * n; ++i)
    if (!std::isfinite(out[i]))
      throw Error(ErrorKind::InvalidInput,
                  "window " + std::to_string(w.index) + " holds a non-finite value; plan windows "
                  "with plan_windows() and encode only Ok ones",
                  {"", 0, imu_channel_name(static_cast<int>(i / n))});
}

}  // namespace imu2clip
