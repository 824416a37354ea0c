#pragma once
// The audio encoder's input features: log mel-band power per short-time frame.
//
// Conventions (fixed here because the model bundle stores only the options, and the training
// and inference sides must agree bit for bit on what a feature means):
//   - window: periodic Hann of win_length samples, w[i] = 0.5 - 0.5 cos(2 pi i / win_length),
//     centred in the n_fft frame (zeros on both sides when win_length < n_fft), as torch.stft
//     places a shorter window;
//   - framing: centred. The signal is padded with n_fft/2 ZEROS on each side (not reflected:
//     reflection invents a mirrored sound at a clip's edges, zeros are the silence before and
//     after) and frame t covers samples [t*hop - n_fft/2, t*hop + n_fft/2), so there are
//     1 + n / hop frames and frame t is centred on sample t*hop;
//   - power: |X[k]|^2 of the real FFT of the windowed frame, k = 0 .. n_fft/2, unscaled;
//   - mel bands: HTK scale mel(f) = 2595 log10(1 + f/700); n_mels + 2 points evenly spaced in
//     mel from f_min to f_max; band m is the triangle rising from point m to 1 at point m+1 and
//     falling to 0 at point m+2, sampled at the bin frequencies k * sample_rate / n_fft; no area
//     normalisation (each triangle peaks at 1). This is torchaudio's
//     melscale_fbanks(norm=None, mel_scale="htk");
//   - output: log(max(band power, log_floor)), natural log.
#include <cstdint>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace imu2clip {

struct LogMelOptions {
  double sample_rate_hz = 16000;
  int n_fft = 512;        // even (a real FFT of n_fft points)
  int win_length = 400;   // 25 ms at 16 kHz; <= n_fft
  int hop = 160;          // 10 ms at 16 kHz
  int n_mels = 64;
  double f_min = 50;
  double f_max = 8000;    // <= sample_rate_hz / 2
  double log_floor = 1e-6;

  // Throws Error(InvalidInput) naming the offending field.
  void validate() const;
  // Frames of n_samples samples: 1 + n_samples / hop (centred framing, see above). Throws
  // Error(InvalidInput) for n_samples < 0 or a count beyond int.
  int frames(int64_t n_samples) const;
};

void to_json(nlohmann::json& j, const LogMelOptions& o);
void from_json(const nlohmann::json& j, LogMelOptions& o);  // missing keys keep defaults

class LogMelFrontEnd {
 public:
  // Validates the options and precomputes the window and the filterbank.
  explicit LogMelFrontEnd(const LogMelOptions& options);

  const LogMelOptions& options() const { return options_; }
  int n_mels() const { return options_.n_mels; }

  // Frames compute() writes for n_samples samples: options().frames(n_samples).
  int frames(int64_t n_samples) const;

  // Writes the log-mel spectrogram of x[0..n) to out, [n_mels][frames(n)] row-major (band m,
  // frame t at out[m * frames(n) + t]). Thread-safe: FFT state and scratch are per call.
  // A NaN sample makes every band of the frames that cover it NaN (nothing is made up).
  void compute(const float* x, int64_t n, float* out) const;
  std::vector<float> compute(const std::vector<float>& x) const;

  // Centre frequency in Hz of band m (point m+1 of the mel grid).
  double band_centre_hz(int m) const;
  // Weight of FFT bin k in band m (0 outside the triangle).
  float filter_weight(int m, int k) const;

 private:
  struct Band {
    int first_bin = 0;            // first bin with a non-zero weight
    std::vector<float> weights;   // weights of bins first_bin, first_bin + 1, ...
  };

  LogMelOptions options_;
  std::vector<float> window_;     // n_fft values, the Hann window centred with zeros around it
  int window_start_ = 0;          // first non-zero-padded index of window_
  std::vector<Band> bands_;
  std::vector<double> centres_hz_;
};

}  // namespace imu2clip
