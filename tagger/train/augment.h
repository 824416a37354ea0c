#pragma once
// Training-time augmentations of one IMU window, in place. Torch-free and deterministic given
// the generator, so a resumed run sees exactly the batches an uninterrupted one would.
#include <cstdint>

#include "tagger/train/train_options.h"

namespace imu2clip {

// Small deterministic generator (SplitMix64): std::<random> distributions differ between
// standard libraries, and checkpoints must replay identically.
class TrainRng {
 public:
  explicit TrainRng(uint64_t seed) : state_(seed) {}
  uint64_t next();
  double uniform();               // [0, 1)
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  double normal();                // standard normal (Box-Muller)
  uint64_t below(uint64_t n) { return next() % n; }

 private:
  uint64_t state_;
};

// A generator for (seed, stream...) that does not depend on how many numbers other streams drew.
TrainRng derive_rng(uint64_t seed, uint64_t a, uint64_t b = 0, uint64_t c = 0);

// `window` is [6][samples] channel-major (ax ay az gx gy gz). Rotation: one uniformly random
// rotation matrix (Shoemake's quaternion method) applied to accel and gyro alike, as if the
// device were worn turned. Scale: one gain for the whole window. Jitter: Gaussian noise.
// Shift: the window rolls by up to shift_fraction of its length, the vacated edge repeats the
// nearest sample (no wrap-around of the opposite end). Yaw: rotation about the mean
// acceleration axis, then a tilt of at most tilt_deg. Low-pass: a 2nd-order Butterworth run
// forwards and backwards (zero phase); `rate_hz` is the window's sample rate.
void augment_window(float* window, int samples, const AugmentOptions& options, TrainRng& rng, double rate_hz = 50);

// Rotation matrix (row-major) of `angle` radians about the unit axis (x, y, z) (Rodrigues).
void axis_rotation(double x, double y, double z, double angle, float out[9]);

// Zero-phase 2nd-order Butterworth low-pass of one channel in place (cutoff below Nyquist).
void lowpass_zero_phase(float* channel, int samples, double cutoff_hz, double rate_hz);

// The rotation matrix augment_window would use, row-major, for tests.
void random_rotation(TrainRng& rng, float out[9]);

}  // namespace imu2clip
