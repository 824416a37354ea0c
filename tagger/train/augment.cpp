#include "tagger/train/augment.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "tagger/text/stable_hash.h"

namespace imu2clip {

uint64_t TrainRng::next() { return splitmix64(state_); }

double TrainRng::uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

double TrainRng::normal() {
  const double u1 = std::max(uniform(), 1e-300), u2 = uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

TrainRng derive_rng(uint64_t seed, uint64_t a, uint64_t b, uint64_t c) {
  Fnv1a64 h;
  h.update_u64(seed).update_u64(a).update_u64(b).update_u64(c);
  return TrainRng(h.digest());
}

void random_rotation(TrainRng& rng, float m[9]) {
  // Uniform unit quaternion (Shoemake 1992), then its rotation matrix.
  const double u1 = rng.uniform(), u2 = rng.uniform(), u3 = rng.uniform();
  const double a = std::sqrt(1 - u1), b = std::sqrt(u1);
  const double w = a * std::sin(2 * M_PI * u2), x = a * std::cos(2 * M_PI * u2);
  const double y = b * std::sin(2 * M_PI * u3), z = b * std::cos(2 * M_PI * u3);
  const double r[9] = {1 - 2 * (y * y + z * z), 2 * (x * y - z * w),     2 * (x * z + y * w),
                       2 * (x * y + z * w),     1 - 2 * (x * x + z * z), 2 * (y * z - x * w),
                       2 * (x * z - y * w),     2 * (y * z + x * w),     1 - 2 * (x * x + y * y)};
  for (int i = 0; i < 9; ++i) m[i] = static_cast<float>(r[i]);
}

void axis_rotation(double x, double y, double z, double angle, float m[9]) {
  const double c = std::cos(angle), s = std::sin(angle), t = 1 - c;
  const double r[9] = {t * x * x + c,     t * x * y - s * z, t * x * z + s * y,
                       t * x * y + s * z, t * y * y + c,     t * y * z - s * x,
                       t * x * z - s * y, t * y * z + s * x, t * z * z + c};
  for (int i = 0; i < 9; ++i) m[i] = static_cast<float>(r[i]);
}

void lowpass_zero_phase(float* ch, int samples, double cutoff_hz, double rate_hz) {
  if (samples < 2 || !(cutoff_hz > 0) || cutoff_hz >= rate_hz / 2) return;
  // RBJ cookbook low-pass, Q = 1/sqrt(2) (Butterworth).
  const double w0 = 2 * M_PI * cutoff_hz / rate_hz, alpha = std::sin(w0) / (2 * M_SQRT1_2), cw = std::cos(w0);
  const double a0 = 1 + alpha;
  const double b0 = (1 - cw) / 2 / a0, b1 = (1 - cw) / a0, b2 = b0, a1 = -2 * cw / a0, a2 = (1 - alpha) / a0;
  const size_t T = static_cast<size_t>(samples);
  auto pass = [&](auto at) {
    // Start in the steady state of a constant input equal to the first sample (unit DC gain),
    // so the edges do not ring.
    double x1 = at(0), x2 = at(0), y1 = at(0), y2 = at(0);
    for (size_t i = 0; i < T; ++i) {
      const double xi = at(i);
      const double y = b0 * xi + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
      x2 = x1, x1 = xi, y2 = y1, y1 = y;
      at(i) = static_cast<float>(y);
    }
  };
  pass([&](size_t i) -> float& { return ch[i]; });
  pass([&](size_t i) -> float& { return ch[T - 1 - i]; });
}

namespace {

void rotate_sensors(float* x, size_t T, const float m[9]) {
  for (int sensor = 0; sensor < 2; ++sensor) {
    float* cx = x + (sensor * 3 + 0) * T;
    float* cy = x + (sensor * 3 + 1) * T;
    float* cz = x + (sensor * 3 + 2) * T;
    for (size_t t = 0; t < T; ++t) {
      const float vx = cx[t], vy = cy[t], vz = cz[t];
      cx[t] = m[0] * vx + m[1] * vy + m[2] * vz;
      cy[t] = m[3] * vx + m[4] * vy + m[5] * vz;
      cz[t] = m[6] * vx + m[7] * vy + m[8] * vz;
    }
  }
}

}  // namespace

void augment_window(float* x, int samples, const AugmentOptions& o, TrainRng& rng, double rate_hz) {
  const size_t T = static_cast<size_t>(samples);
  if (o.yaw) {
    double g[3] = {0, 0, 0};
    for (int c = 0; c < 3; ++c)
      for (size_t t = 0; t < T; ++t) g[c] += x[c * T + t];
    const double norm = std::sqrt(g[0] * g[0] + g[1] * g[1] + g[2] * g[2]);
    float m[9];
    if (norm > 1e-6) {
      axis_rotation(g[0] / norm, g[1] / norm, g[2] / norm, rng.uniform(0, 2 * M_PI), m);
      rotate_sensors(x, T, m);
    }
    // Tilt: a small rotation about a random axis (uniform on the sphere).
    const double z = rng.uniform(-1, 1), phi = rng.uniform(0, 2 * M_PI), r = std::sqrt(1 - z * z);
    axis_rotation(r * std::cos(phi), r * std::sin(phi), z, rng.uniform(-1, 1) * o.tilt_deg * M_PI / 180, m);
    rotate_sensors(x, T, m);
  }
  if (o.lowpass) {
    const bool apply = rng.uniform() < o.lowpass_probability;
    const double cutoff = rng.uniform(o.lowpass_min_hz, o.lowpass_max_hz);
    if (apply)
      for (int c = 0; c < 6; ++c) lowpass_zero_phase(x + c * T, samples, cutoff, rate_hz);
  }
  if (o.rotate) {
    // Draw the rotation either way so the generator's stream does not depend on the coin.
    const bool apply = o.rotate_probability >= 1 || rng.uniform() < o.rotate_probability;
    float m[9];
    random_rotation(rng, m);
    if (apply) rotate_sensors(x, T, m);
  }
  if (o.scale) {
    const float gain = static_cast<float>(rng.uniform(1 - o.scale_range, 1 + o.scale_range));
    for (size_t i = 0; i < 6 * T; ++i) x[i] *= gain;
  }
  if (o.jitter) {
    for (int c = 0; c < 6; ++c) {
      const double sd = c < 3 ? o.jitter_accel : o.jitter_gyro;
      for (size_t t = 0; t < T; ++t) x[c * T + t] += static_cast<float>(sd * rng.normal());
    }
  }
  if (o.shift) {
    const long max_shift = std::lround(o.shift_fraction * samples);
    if (max_shift > 0) {
      const long shift = static_cast<long>(rng.below(2 * max_shift + 1)) - max_shift;
      std::vector<float> row(T);
      for (int c = 0; c < 6; ++c) {
        float* ch = x + c * T;
        for (long t = 0; t < static_cast<long>(T); ++t)
          row[t] = ch[std::clamp<long>(t - shift, 0, static_cast<long>(T) - 1)];
        std::copy(row.begin(), row.end(), ch);
      }
    }
  }
}

}  // namespace imu2clip
