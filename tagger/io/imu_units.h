#pragma once
// Units of IMU values at the boundary: the model and everything downstream take accelerometer
// values in m/s^2 INCLUDING gravity (about +9.8 along the axis pointing up when still) and
// gyroscope values in rad/s, both in the device's own right-handed x, y, z axes. Clients that
// say their data is in g or deg/s get it converted here; clients that say nothing get data
// that is clearly in g or deg/s refused, because the encoder would silently turn it into
// nonsense tags. Torch-free; the server, the upload jobs and `imu2clip tag` all use this file.
//
// What "clearly" means (a batch or file is judged only with >= kUnitsMinSamples finite samples;
// shorter ones, e.g. a live batch of a few samples, are accepted as they are):
//  - accel in g: the median |accel| is below kMaxMedianAccelNormG. Gravity alone gives 9.8
//    m/s^2 = 1 g; over real recordings the median |accel| in m/s^2 lies between about 4 (jumping)
//    and 20 (running), i.e. 0.4 to 2 in g, so 3 separates the two with margin on both sides.
//  - gyro in deg/s: at least kDegGyroMinFraction of the samples (and kDegGyroMinCount) have an
//    axis beyond kMaxGyroAxisRadS. That is the full scale of the widest common phone and
//    watch gyros (+-2000 deg/s = 34.9 rad/s): real rad/s data never goes past it (saturated
//    samples sit at 34.9), while deg/s data crosses it whenever the device turns faster than
//    35 deg/s. Data in deg/s from a device that stays still is not detectable this way (a few
//    deg/s read as rad/s are plausible rotation rates); it is accepted.
#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include "tagger/io/imu_series.h"

namespace imu2clip {

enum class AccelUnit { Auto, MetersPerSecond2, G };   // Auto: not declared; detect and refuse g
enum class GyroUnit { Auto, RadPerSecond, DegPerSecond };

struct ImuUnits {
  AccelUnit accel = AccelUnit::Auto;
  GyroUnit gyro = GyroUnit::Auto;
};

// How the caller lets its user declare units, for error messages: the field (JSON key, query
// parameter or CLI flag) and what to write, e.g. {"units.accel", "\"units\": {\"accel\": \"g\"}"}.
struct ImuUnitFields {
  std::string accel_field = "--accel-units";
  std::string accel_declare_g = "--accel-units g";
  std::string gyro_field = "--gyro-units";
  std::string gyro_declare_deg = "--gyro-units deg/s";
};

constexpr double kStandardGravity = 9.80665;  // m/s^2 per g (CGPM 1901)
constexpr size_t kUnitsMinSamples = 100;
constexpr double kMaxMedianAccelNormG = 3.0;   // m/s^2
constexpr double kMaxGyroAxisRadS = 35.0;
constexpr double kDegGyroMinFraction = 0.01;
constexpr size_t kDegGyroMinCount = 3;

// "m/s^2" (also "m/s2", "mps2") or "g"; "rad/s" or "deg/s" (also "dps"). Anything else throws
// Error(InvalidInput) naming `field` and the accepted names.
AccelUnit parse_accel_unit(const std::string& text, const std::string& field);
GyroUnit parse_gyro_unit(const std::string& text, const std::string& field);

// What the detector saw. Statistics skip non-finite values.
struct UnitsVerdict {
  size_t samples = 0;               // samples with finite accel (resp. gyro) values, the larger count
  bool judged = false;              // samples >= kUnitsMinSamples
  double median_accel_norm = 0;     // median |(ax, ay, az)|
  size_t gyro_over_range = 0;       // samples with some |g_axis| > kMaxGyroAxisRadS
  double gyro_over_range_fraction = 0;
  bool accel_looks_g = false;
  bool gyro_looks_deg = false;
};

UnitsVerdict inspect_imu_units(const std::vector<std::array<float, 6>>& rows);
UnitsVerdict inspect_imu_units(const ImuSeries& series);

// Declared units are converted to m/s^2 and rad/s (NaN stays NaN). A sensor left on Auto is
// checked instead: if it clearly is in g / deg/s, throws Error(InvalidInput) whose field is
// the declaration field from `fields` and whose message says what was seen and what to do.
// A batch (rows) value in g too large for a float in m/s^2 throws the same way.
void apply_imu_units(std::vector<std::array<float, 6>>& rows, const ImuUnits& units, const ImuUnitFields& fields);
void apply_imu_units(ImuSeries& series, const ImuUnits& units, const ImuUnitFields& fields);

}  // namespace imu2clip
