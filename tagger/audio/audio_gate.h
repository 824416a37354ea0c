#pragma once
// A cheap quiet gate in front of the audio encoder: windows with nothing to hear are logged
// as quiet instead of being encoded and forced onto the nearest sound label.
//
// Rule, on the window's RMS level (dBFS: 0 dB is the RMS of a full-scale square wave, so a
// full-scale sine reads -3.01 dBFS):
//   below noise_floor_dbfs                     quiet
//   from noise_floor_dbfs to quiet_below_dbfs  quiet only if it sounds like steady hiss: a flat
//                                              spectrum (spectral flatness at least
//                                              quiet_min_flatness), a steady level (block
//                                              levels within quiet_max_level_spread_db) and no
//                                              block as loud as quiet_below_dbfs
//   at or above quiet_below_dbfs               not quiet
// An empty or all-zero window is quiet.
//
// Why these defaults (measured with bench/audio/audio_gate_report on the 980 labelled clips of
// shared/data/audio, where every clip is a real sound): Kitchen20 has real recordings as faint
// as -69 dBFS RMS (sweeping, peeling), so the unconditional floor sits at -75. Between -75 and
// -50 the real clips are either tonal (a dishwasher hum: flatness ~0.01) or uneven (flat ones
// have block-level spreads of 5 dB and more), while a microphone's white self-noise reads
// flatness ~0.98 and a spread of ~0.7 dB. Room tone with strong low-frequency rumble (pink
// noise: flatness ~0.4, spread 4-5 dB; brown: ~0.02, ~8 dB) looks like those faint real sounds
// to these measures and is therefore NOT called quiet above -75 dBFS: the encoder decides.
//
// Non-finite samples (NaN, inf) are reported, not thrown: the window is neither quiet nor
// loud, GateResult::non_finite is set and its numbers are NaN. The caller marks the window
// invalid (stored, never encoded), as the IMU path does with a NaN sample; throwing would
// abort a whole file or live stream over one bad window.
#include <cstdint>

#include <nlohmann/json_fwd.hpp>

namespace imu2clip {

struct AudioGateOptions {
  double quiet_below_dbfs = -50;
  double noise_floor_dbfs = -75;
  // Spectral flatness (geometric over arithmetic mean of the power spectrum: 0 for a pure tone,
  // ~0.98 for white noise averaged as gate_window does) from which a window between the two
  // levels may count as hiss.
  double quiet_min_flatness = 0.5;
  // Largest spread (90th minus 10th percentile, dB) of the 512-sample block levels for which
  // a window between the two levels may count as hiss.
  double quiet_max_level_spread_db = 3;

  // Throws Error(InvalidInput) naming the offending field.
  void validate() const;
};

void to_json(nlohmann::json& j, const AudioGateOptions& o);
void from_json(const nlohmann::json& j, AudioGateOptions& o);  // missing keys keep defaults

struct GateResult {
  bool quiet = false;
  double rms_dbfs = 0;           // kSilenceDbfs for digital silence
  double peak_block_dbfs = 0;    // RMS of the loudest 512-sample block
  // 90th minus 10th percentile of the levels of the full 512-sample blocks that are not exact
  // digital zero (0 with fewer than two such blocks).
  double level_spread_db = 0;
  double spectral_flatness = 0;  // 1 for digital silence (no structure at all)
  bool non_finite = false;       // the window holds NaN or inf; the numbers above are NaN
};

// The level reported for digital silence instead of -infinity, which JSON cannot hold.
constexpr double kSilenceDbfs = -200;

// Samples in [-1, 1] full scale. Reads every sample once for the levels and transforms at
// most 32 blocks of 512 samples for the flatness, whatever the window's length.
GateResult gate_window(const float* x, int64_t n, const AudioGateOptions& options);

}  // namespace imu2clip
