#include "tagger/live/live_windowing.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace imu2clip {
namespace {

constexpr double kTolMs = 1e-6;

std::string gap_reason(double gap_s, double at_s) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "gap of %.2f s at %.2f s", gap_s, at_s);
  return buf;
}

}  // namespace

LiveWindowing LiveWindowing::for_model(double rate_hz, int window_samples, double max_gap_s,
                                       double min_valid_fraction) {
  LiveWindowing w;
  w.rate_hz = rate_hz;
  w.window_samples = window_samples;
  w.resample.target_rate_hz = rate_hz;
  w.resample.max_gap_s = max_gap_s;
  w.resample.validate();
  w.window.size_s = window_samples / rate_hz;
  w.window.stride_s = w.window.size_s;
  w.window.max_gap_s = max_gap_s;
  w.window.min_valid_fraction = min_valid_fraction;
  w.window.validate(rate_hz);
  // The anti-alias FIR's half length is about 18 target samples whatever the source rate
  // (Kaiser length ~ stopband / transition width, both scaled to the target rate): 40 samples
  // keep the window clear of a chunk's edge effects on both sides.
  w.margin_ms = 40.0 / rate_hz * 1000.0;
  return w;
}

LiveChunk plan_live_chunk(const LiveWindowing& w, int64_t session_start_ms, int64_t first_window,
                          const std::vector<LiveSample>& samples, double usable_end_ms, size_t max_windows) {
  LiveChunk out;
  out.first_window = first_window;
  out.signal.rate_hz = w.rate_hz;
  if (samples.empty() || max_windows == 0) return out;
  const double s0 = static_cast<double>(session_start_ms);
  const double step = w.step_ms();
  const int64_t L = w.window_samples;
  const double t_next = s0 + static_cast<double>(first_window * L) * step;
  auto t_of = [&](size_t i) { return static_cast<double>(samples[i].t_utc_ms); };
  auto last_grid_ms = [&](int64_t j) { return s0 + static_cast<double>(j * L + L - 1) * step; };
  if (t_of(0) > t_next + kTolMs) {
    // The samples the next windows start with are gone: a period erased while the session was
    // open (DELETE /v1/logs). Windows starting before the first sample left have no data of the
    // user's: they are gaps, as for a hole in the stream; later ones anchor after it. (Trimming
    // alone always keeps the margin before the next window.)
    for (int64_t j = first_window; out.windows.size() < max_windows; ++j) {
      const double start = s0 + static_cast<double>(j * L) * step;
      if (start >= t_of(0) - kTolMs || last_grid_ms(j) > usable_end_ms + kTolMs) break;
      WindowSpec spec;
      spec.index = j;
      spec.start_s = w.window_start_s(j);
      spec.end_s = w.window_start_s(j + 1);
      spec.status = WindowStatus::Gap;
      spec.reason = gap_reason((t_of(0) - t_next) / 1000.0, (t_next - s0) / 1000.0);
      out.windows.push_back(spec);
    }
    return out;
  }

  // Anchor: the first grid point at or after (next window - margin) that has data around it.
  const double target = std::max(t_next - w.margin_ms, t_of(0));
  double g = s0 + std::ceil((target - s0) / step - 1e-9) * step;
  size_t i = 0;
  bool exact = false;
  const double max_gap_ms = w.resample.max_gap_s * 1000.0;
  for (;;) {
    while (i + 1 < samples.size() && t_of(i + 1) <= g + kTolMs) ++i;
    if (std::abs(t_of(i) - g) <= kTolMs) {
      exact = true;
      break;
    }
    if (i + 1 >= samples.size()) return out;  // no data after the anchor yet
    const double gap = t_of(i + 1) - t_of(i);
    if (gap <= max_gap_ms) break;
    // The anchor lies inside a gap the resampler does not bridge. Windows starting before the
    // gap's end overlap it: they are gaps, as in the batch tagger. Later ones anchor after it.
    if (t_next < t_of(i + 1)) {
      for (int64_t j = first_window; out.windows.size() < max_windows; ++j) {
        const double start = s0 + static_cast<double>(j * L) * step;
        if (start >= t_of(i + 1) || last_grid_ms(j) > usable_end_ms + kTolMs) break;
        WindowSpec spec;
        spec.index = j;
        spec.start_s = w.window_start_s(j);
        spec.end_s = w.window_start_s(j + 1);
        spec.status = WindowStatus::Gap;
        spec.reason = gap_reason(gap / 1000.0, (t_of(i) - s0) / 1000.0);
        out.windows.push_back(spec);
      }
      return out;
    }
    g = s0 + std::ceil((t_of(i + 1) - s0) / step - 1e-9) * step;
  }

  ImuSeries series;
  series.source = "live";
  const size_t first_real = exact ? i : i + 1;
  const size_t n = samples.size() - first_real + (exact ? 0 : 1);
  series.t_s.reserve(n);
  for (auto& c : series.ch) c.reserve(n);
  if (!exact) {
    const double a = (g - t_of(i)) / (t_of(i + 1) - t_of(i));
    series.t_s.push_back(0.0);
    for (size_t c = 0; c < 6; ++c) {
      const double x0 = samples[i].v[c], x1 = samples[i + 1].v[c];
      series.ch[c].push_back(static_cast<float>(x0 + a * (x1 - x0)));
    }
  }
  for (size_t k = first_real; k < samples.size(); ++k) {
    series.t_s.push_back(k == first_real && exact ? 0.0 : (t_of(k) - g) / 1000.0);
    for (size_t c = 0; c < 6; ++c) series.ch[c].push_back(samples[k].v[c]);
  }
  const UniformSignal u = resample(series, w.resample);

  const int64_t m = std::llround((t_next - g) / step);
  if (m < 0 || static_cast<size_t>(m) >= u.size()) return out;
  UniformSignal& v = out.signal;
  v.t0_s = w.window_start_s(first_window);
  v.source_rate_hz = u.source_rate_hz;
  v.anti_aliased = u.anti_aliased;
  v.valid.assign(u.valid.begin() + m, u.valid.end());
  for (size_t c = 0; c < 6; ++c) v.ch[c].assign(u.ch[c].begin() + m, u.ch[c].end());
  WindowPlan plan = plan_windows(v, w.window);

  // A run of gap samples that began before the chunk: judge it by its full length.
  const size_t um = static_cast<size_t>(m);
  if (um > 0 && !u.valid[um - 1] && !plan.windows.empty()) {
    size_t b = um - 1, e = um;
    while (b > 0 && !u.valid[b - 1]) --b;
    while (e < u.size() && !u.valid[e]) ++e;
    const double gap_s = static_cast<double>(e - b + 1) / w.rate_hz;
    if (gap_s > w.window.max_gap_s) {
      const double at_s = (g - s0) / 1000.0 + static_cast<double>(b > 0 ? b - 1 : b) / w.rate_hz;
      for (auto& spec : plan.windows) {
        if (spec.first_sample >= e - um) break;
        spec.status = WindowStatus::Gap;
        spec.reason = gap_reason(gap_s, at_s);
      }
    }
  }

  for (auto& spec : plan.windows) {
    const int64_t j = first_window + spec.index;
    if (out.windows.size() >= max_windows || last_grid_ms(j) > usable_end_ms + kTolMs) break;
    spec.index = j;
    spec.start_s = w.window_start_s(j);
    spec.end_s = w.window_start_s(j + 1);
    out.windows.push_back(std::move(spec));
  }
  return out;
}

}  // namespace imu2clip
