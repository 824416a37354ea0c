#include "tagger/audio/log_mel.h"

#include <kiss_fftr.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>

#include "common/error.h"

namespace imu2clip {
namespace {

constexpr double kPi = 3.14159265358979323846;

double hz_to_mel(double hz) { return 2595.0 * std::log10(1.0 + hz / 700.0); }
double mel_to_hz(double mel) { return 700.0 * (std::pow(10.0, mel / 2595.0) - 1.0); }

struct FftFree {
  void operator()(kiss_fftr_state* s) const { kiss_fftr_free(s); }
};

}  // namespace

LogMelFrontEnd::LogMelFrontEnd(const LogMelOptions& options) : options_(options) {
  options_.validate();
  const int n_fft = options_.n_fft;
  const int wl = options_.win_length;
  window_.assign(static_cast<size_t>(n_fft), 0.0f);
  window_start_ = (n_fft - wl) / 2;
  for (int i = 0; i < wl; ++i) {
    window_[static_cast<size_t>(window_start_ + i)] =
        static_cast<float>(0.5 - 0.5 * std::cos(2.0 * kPi * i / wl));
  }

  const int n_bins = n_fft / 2 + 1;
  const double mel_lo = hz_to_mel(options_.f_min);
  const double mel_hi = hz_to_mel(options_.f_max);
  const int n_mels = options_.n_mels;
  std::vector<double> points(static_cast<size_t>(n_mels) + 2);
  for (int i = 0; i < n_mels + 2; ++i) {
    points[static_cast<size_t>(i)] = mel_to_hz(mel_lo + (mel_hi - mel_lo) * i / (n_mels + 1));
  }
  bands_.resize(static_cast<size_t>(n_mels));
  centres_hz_.resize(static_cast<size_t>(n_mels));
  for (int m = 0; m < n_mels; ++m) {
    const double lo = points[static_cast<size_t>(m)];
    const double c = points[static_cast<size_t>(m) + 1];
    const double hi = points[static_cast<size_t>(m) + 2];
    centres_hz_[static_cast<size_t>(m)] = c;
    Band& band = bands_[static_cast<size_t>(m)];
    int first = -1;
    std::vector<float> w;
    for (int k = 0; k < n_bins; ++k) {
      const double f = k * options_.sample_rate_hz / n_fft;
      const double weight = std::max(0.0, std::min((f - lo) / (c - lo), (hi - f) / (hi - c)));
      if (weight <= 0) {
        if (first >= 0) break;  // past the triangle
        continue;
      }
      if (first < 0) first = k;
      w.push_back(static_cast<float>(weight));
    }
    // A band narrower than the bin spacing can miss every bin; it then always reads log_floor.
    band.first_bin = first < 0 ? 0 : first;
    band.weights = std::move(w);
  }
}

int LogMelFrontEnd::frames(int64_t n_samples) const { return options_.frames(n_samples); }

double LogMelFrontEnd::band_centre_hz(int m) const { return centres_hz_.at(static_cast<size_t>(m)); }

float LogMelFrontEnd::filter_weight(int m, int k) const {
  const Band& b = bands_.at(static_cast<size_t>(m));
  const int i = k - b.first_bin;
  if (i < 0 || i >= static_cast<int>(b.weights.size())) return 0.0f;
  return b.weights[static_cast<size_t>(i)];
}

void LogMelFrontEnd::compute(const float* x, int64_t n, float* out) const {
  const int n_frames = frames(n);
  const int n_fft = options_.n_fft;
  const int half = n_fft / 2;
  const int n_bins = half + 1;
  const int ws = window_start_;
  const int we = window_start_ + options_.win_length;
  const int hop = options_.hop;
  const float log_floor = static_cast<float>(options_.log_floor);

  // kiss_fftr writes into its own state, so each call owns one; allocating it (a few hundred
  // twiddles) costs far less than the frames a call transforms.
  std::unique_ptr<kiss_fftr_state, FftFree> fft(kiss_fftr_alloc(n_fft, 0, nullptr, nullptr));
  if (!fft) throw Error(ErrorKind::Internal, "kiss_fftr_alloc failed for n_fft " + std::to_string(n_fft));
  std::vector<float> frame(static_cast<size_t>(n_fft), 0.0f);  // zero outside [ws, we) for good
  std::vector<kiss_fft_cpx> spectrum(static_cast<size_t>(n_bins));
  std::vector<float> power(static_cast<size_t>(n_bins));
  const float* w = window_.data();

  for (int t = 0; t < n_frames; ++t) {
    // Sample index of frame position i is t*hop - half + i; only [ws, we) is windowed.
    const int64_t base = static_cast<int64_t>(t) * hop - half;
    if (base + ws >= 0 && base + we <= n) {
      const float* src = x + base;
      for (int i = ws; i < we; ++i) frame[static_cast<size_t>(i)] = src[i] * w[i];
    } else {
      for (int i = ws; i < we; ++i) {
        const int64_t idx = base + i;
        frame[static_cast<size_t>(i)] = (idx >= 0 && idx < n) ? x[idx] * w[i] : 0.0f;
      }
    }
    kiss_fftr(fft.get(), frame.data(), spectrum.data());
    for (int k = 0; k < n_bins; ++k) {
      const kiss_fft_cpx c = spectrum[static_cast<size_t>(k)];
      power[static_cast<size_t>(k)] = c.r * c.r + c.i * c.i;
    }
    for (size_t m = 0; m < bands_.size(); ++m) {
      const Band& b = bands_[m];
      const float* p = power.data() + b.first_bin;
      float sum = 0.0f;
      for (size_t i = 0; i < b.weights.size(); ++i) sum += b.weights[i] * p[i];
      out[m * static_cast<size_t>(n_frames) + static_cast<size_t>(t)] = std::log(std::max(sum, log_floor));
    }
  }
}

std::vector<float> LogMelFrontEnd::compute(const std::vector<float>& x) const {
  const auto n = static_cast<int64_t>(x.size());
  std::vector<float> out(static_cast<size_t>(options_.n_mels) * static_cast<size_t>(frames(n)));
  compute(x.data(), n, out.data());
  return out;
}

}  // namespace imu2clip
