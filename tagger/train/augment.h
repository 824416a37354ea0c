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
// nearest sample (no wrap-around of the opposite end).
void augment_window(float* window, int samples, const AugmentOptions& options, TrainRng& rng);

// The rotation matrix augment_window would use, row-major, for tests.
void random_rotation(TrainRng& rng, float out[9]);

}  // namespace imu2clip
