#include "tagger/io/imu_units.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>

#include "common/error.h"
#include "common/strings.h"

namespace imu2clip {
namespace {

constexpr double kDegToRad = 3.14159265358979323846 / 180.0;

// Per-sample statistics the verdict is built from, filled by either input layout.
struct Stats {
  std::vector<float> accel_norms;   // finite samples only
  size_t gyro_samples = 0, gyro_over_range = 0;

  void add(float ax, float ay, float az, float gx, float gy, float gz) {
    if (std::isfinite(ax) && std::isfinite(ay) && std::isfinite(az))
      accel_norms.push_back(std::sqrt(ax * ax + ay * ay + az * az));
    if (std::isfinite(gx) && std::isfinite(gy) && std::isfinite(gz)) {
      ++gyro_samples;
      const float m = std::max({std::fabs(gx), std::fabs(gy), std::fabs(gz)});
      gyro_over_range += m > kMaxGyroAxisRadS;
    }
  }

  UnitsVerdict verdict() {
    UnitsVerdict v;
    v.samples = std::max(accel_norms.size(), gyro_samples);
    v.judged = v.samples >= kUnitsMinSamples;
    if (!accel_norms.empty()) {
      auto mid = accel_norms.begin() + static_cast<long>(accel_norms.size() / 2);
      std::nth_element(accel_norms.begin(), mid, accel_norms.end());
      v.median_accel_norm = *mid;
    }
    v.gyro_over_range = gyro_over_range;
    v.gyro_over_range_fraction =
        gyro_samples ? static_cast<double>(gyro_over_range) / static_cast<double>(gyro_samples) : 0.0;
    v.accel_looks_g = accel_norms.size() >= kUnitsMinSamples && v.median_accel_norm < kMaxMedianAccelNormG;
    v.gyro_looks_deg = gyro_samples >= kUnitsMinSamples && gyro_over_range >= kDegGyroMinCount &&
                       v.gyro_over_range_fraction >= kDegGyroMinFraction;
    return v;
  }
};

[[noreturn]] void refuse_accel(const UnitsVerdict& v, const ImuUnitFields& fields) {
  char msg[512];
  std::snprintf(msg, sizeof msg,
                "the accelerometer values (ax, ay, az) look like g, not m/s^2: their median magnitude is "
                "%.2f over %zu samples, while m/s^2 including gravity is about 9.8 (1 g) and real "
                "recordings stay above 4. Send m/s^2 including gravity, or declare the unit with %s "
                "to have the values converted",
                v.median_accel_norm, v.samples, fields.accel_declare_g.c_str());
  throw Error(ErrorKind::InvalidInput, msg, ErrorContext{"", 0, fields.accel_field});
}

[[noreturn]] void refuse_gyro(const UnitsVerdict& v, const ImuUnitFields& fields) {
  char msg[512];
  std::snprintf(msg, sizeof msg,
                "the gyroscope values (gx, gy, gz) look like deg/s, not rad/s: %zu of %zu samples "
                "(%.1f%%) exceed %.0f rad/s on some axis, beyond the range of phone and watch "
                "gyroscopes (+-2000 deg/s = 34.9 rad/s). Send rad/s, or declare the unit with %s to "
                "have the values converted",
                v.gyro_over_range, v.samples, 100.0 * v.gyro_over_range_fraction, kMaxGyroAxisRadS,
                fields.gyro_declare_deg.c_str());
  throw Error(ErrorKind::InvalidInput, msg, ErrorContext{"", 0, fields.gyro_field});
}

// Refuses a sensor left on Auto whose values are clearly in g / deg/s. Declared sensors are
// not inspected: the client's word wins.
void check_auto(const ImuUnits& units, const ImuUnitFields& fields, const std::function<UnitsVerdict()>& inspect) {
  if (units.accel != AccelUnit::Auto && units.gyro != GyroUnit::Auto) return;
  const UnitsVerdict v = inspect();
  if (units.accel == AccelUnit::Auto && v.accel_looks_g) refuse_accel(v, fields);
  if (units.gyro == GyroUnit::Auto && v.gyro_looks_deg) refuse_gyro(v, fields);
}

float accel_factor(AccelUnit u) { return u == AccelUnit::G ? static_cast<float>(kStandardGravity) : 1.0f; }
float gyro_factor(GyroUnit u) { return u == GyroUnit::DegPerSecond ? static_cast<float>(kDegToRad) : 1.0f; }

}  // namespace

AccelUnit parse_accel_unit(const std::string& text, const std::string& field) {
  const std::string t = lower(text);
  if (t == "m/s^2" || t == "m/s2" || t == "mps2" || t == "m/s²") return AccelUnit::MetersPerSecond2;
  if (t == "g") return AccelUnit::G;
  throw Error(ErrorKind::InvalidInput,
              "unknown accelerometer unit '" + text + "'; use \"m/s^2\" (including gravity) or \"g\"",
              ErrorContext{"", 0, field});
}

GyroUnit parse_gyro_unit(const std::string& text, const std::string& field) {
  const std::string t = lower(text);
  if (t == "rad/s" || t == "rads") return GyroUnit::RadPerSecond;
  if (t == "deg/s" || t == "dps" || t == "°/s") return GyroUnit::DegPerSecond;
  throw Error(ErrorKind::InvalidInput, "unknown gyroscope unit '" + text + "'; use \"rad/s\" or \"deg/s\"",
              ErrorContext{"", 0, field});
}

UnitsVerdict inspect_imu_units(const std::vector<std::array<float, 6>>& rows) {
  Stats s;
  s.accel_norms.reserve(rows.size());
  for (const auto& r : rows) s.add(r[kAx], r[kAy], r[kAz], r[kGx], r[kGy], r[kGz]);
  return s.verdict();
}

UnitsVerdict inspect_imu_units(const ImuSeries& series) {
  Stats s;
  const size_t n = series.size();
  s.accel_norms.reserve(n);
  const auto& c = series.ch;
  for (size_t i = 0; i < n; ++i) s.add(c[kAx][i], c[kAy][i], c[kAz][i], c[kGx][i], c[kGy][i], c[kGz][i]);
  return s.verdict();
}

void apply_imu_units(std::vector<std::array<float, 6>>& rows, const ImuUnits& units, const ImuUnitFields& fields) {
  check_auto(units, fields, [&] { return inspect_imu_units(rows); });
  const float fa = accel_factor(units.accel), fg = gyro_factor(units.gyro);
  if (fa == 1.0f && fg == 1.0f) return;
  for (auto& r : rows) {
    for (int c = kAx; c <= kAz; ++c) {
      const float g = r[c];
      r[c] *= fa;
      // Batches promise finite values; a float beyond 3.4e38 / 9.8 g has no m/s^2 float.
      if (std::isfinite(g) && !std::isfinite(r[c]))
        throw Error(ErrorKind::InvalidInput,
                    std::string(imu_channel_name(c)) + " = " + std::to_string(g) +
                        " g is too large to convert to m/s^2; no accelerometer measures that",
                    ErrorContext{"", 0, fields.accel_field});
    }
    for (int c = kGx; c <= kGz; ++c) r[c] *= fg;
  }
}

void apply_imu_units(ImuSeries& series, const ImuUnits& units, const ImuUnitFields& fields) {
  check_auto(units, fields, [&] { return inspect_imu_units(series); });
  const float fa = accel_factor(units.accel), fg = gyro_factor(units.gyro);
  for (int c = kAx; c <= kGz; ++c) {
    const float f = c <= kAz ? fa : fg;
    if (f == 1.0f) continue;
    // A value with no float in the new unit (beyond 3.4e38 / 9.8 g) becomes unknown (NaN), as an
    // infinite value in the file itself does, never infinite.
    for (float& v : series.ch[c]) {
      const float scaled = v * f;
      v = std::isfinite(v) && !std::isfinite(scaled) ? std::numeric_limits<float>::quiet_NaN() : scaled;
    }
  }
}

}  // namespace imu2clip
