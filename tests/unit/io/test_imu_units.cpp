#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <limits>
#include <set>

#include "common/error.h"
#include "tagger/io/imu_csv.h"
#include "tagger/io/imu_units.h"
#include "tests/support/test_paths.h"

using namespace imu2clip;
namespace fs = std::filesystem;

namespace {

constexpr double kPi = 3.14159265358979323846;

// n samples of a phone swinging in the hand: gravity (m/s^2) turning slowly about x, a little
// hand acceleration, and a rotation rate of up to `peak_rad_s` about x.
std::vector<std::array<float, 6>> swinging(size_t n, double peak_rad_s) {
  std::vector<std::array<float, 6>> rows(n);
  for (size_t i = 0; i < n; ++i) {
    const double t = static_cast<double>(i) / 50.0;
    const double angle = 0.6 * std::sin(2 * kPi * t);
    const double rate = peak_rad_s * std::cos(2 * kPi * t);
    rows[i] = {static_cast<float>(0.5 * std::sin(7 * t)), static_cast<float>(9.80665 * std::sin(angle)),
               static_cast<float>(9.80665 * std::cos(angle)), static_cast<float>(rate), 0.02f, -0.01f};
  }
  return rows;
}

std::string rejected_field(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::InvalidInput);
    return e.context().field;
  }
  return "(accepted)";
}

ImuSeries to_series(const std::vector<std::array<float, 6>>& rows) {
  ImuSeries s;
  for (size_t i = 0; i < rows.size(); ++i) {
    s.t_s.push_back(static_cast<double>(i) / 50.0);
    for (int c = 0; c < 6; ++c) s.ch[c].push_back(rows[i][c]);
  }
  return s;
}

}  // namespace

TEST_CASE("unit names parse, unknown ones name the field") {
  CHECK(parse_accel_unit("m/s^2", "units.accel") == AccelUnit::MetersPerSecond2);
  CHECK(parse_accel_unit("M/S2", "units.accel") == AccelUnit::MetersPerSecond2);
  CHECK(parse_accel_unit("g", "units.accel") == AccelUnit::G);
  CHECK(parse_gyro_unit("rad/s", "units.gyro") == GyroUnit::RadPerSecond);
  CHECK(parse_gyro_unit("deg/s", "units.gyro") == GyroUnit::DegPerSecond);
  CHECK(parse_gyro_unit("dps", "units.gyro") == GyroUnit::DegPerSecond);
  CHECK(rejected_field([] { parse_accel_unit("mg", "accel_units"); }) == "accel_units");
  CHECK(rejected_field([] { parse_gyro_unit("rpm", "--gyro-units"); }) == "--gyro-units");
}

TEST_CASE("m/s^2 and rad/s data is accepted unchanged") {
  auto rows = swinging(500, 3.0);
  const auto before = rows;
  apply_imu_units(rows, {}, {});
  CHECK(rows == before);
  const UnitsVerdict v = inspect_imu_units(rows);
  CHECK(v.judged);
  CHECK(v.median_accel_norm == Approx(9.8).margin(0.2));
  CHECK_FALSE(v.accel_looks_g);
  CHECK_FALSE(v.gyro_looks_deg);
}

TEST_CASE("accel in g and gyro in deg/s are refused unless declared, and converted when declared") {
  const auto canonical = swinging(500, 3.0);
  auto in_g = canonical, in_deg = canonical;
  for (auto& r : in_g)
    for (int c = kAx; c <= kAz; ++c) r[c] = static_cast<float>(r[c] / kStandardGravity);
  for (auto& r : in_deg)
    for (int c = kGx; c <= kGz; ++c) r[c] = static_cast<float>(r[c] * 180.0 / kPi);

  const ImuUnitFields json_fields{"units.accel", "\"units\": {\"accel\": \"g\"}", "units.gyro",
                                  "\"units\": {\"gyro\": \"deg/s\"}"};
  CHECK(inspect_imu_units(in_g).accel_looks_g);
  CHECK(inspect_imu_units(in_deg).gyro_looks_deg);
  {
    auto rows = in_g;
    CHECK(rejected_field([&] { apply_imu_units(rows, {}, json_fields); }) == "units.accel");
    try {
      apply_imu_units(rows, {}, json_fields);
    } catch (const Error& e) {
      CHECK_THAT(e.message(), Catch::Contains("look like g") && Catch::Contains("\"units\": {\"accel\": \"g\"}"));
    }
  }
  {
    auto rows = in_deg;
    CHECK(rejected_field([&] { apply_imu_units(rows, {}, json_fields); }) == "units.gyro");
    // Saying only the accelerometer's unit still checks the gyroscope.
    CHECK(rejected_field([&] { apply_imu_units(rows, {AccelUnit::MetersPerSecond2, GyroUnit::Auto}, json_fields); }) ==
          "units.gyro");
  }
  // Both wrong: the accelerometer is reported first.
  auto both = in_g;
  for (size_t i = 0; i < both.size(); ++i)
    for (int c = kGx; c <= kGz; ++c) both[i][c] = in_deg[i][c];
  CHECK(rejected_field([&] { auto rows = both; apply_imu_units(rows, {}, json_fields); }) == "units.accel");

  apply_imu_units(both, {AccelUnit::G, GyroUnit::DegPerSecond}, json_fields);
  for (size_t i = 0; i < both.size(); ++i)
    for (int c = 0; c < 6; ++c) REQUIRE(both[i][c] == Approx(canonical[i][c]).margin(1e-5));

  // The series form (files) behaves the same, NaN stays NaN.
  ImuSeries series = to_series(in_g);
  series.ch[kAz][7] = std::numeric_limits<float>::quiet_NaN();
  CHECK(rejected_field([&] { apply_imu_units(series, {}, {}); }) == "--accel-units");
  apply_imu_units(series, {AccelUnit::G, GyroUnit::Auto}, {});
  CHECK(std::isnan(series.ch[kAz][7]));
  CHECK(series.ch[kAz][0] == Approx(canonical[0][kAz]).margin(1e-5));
  CHECK(series.ch[kGx][3] == canonical[3][kGx]);
}

TEST_CASE("short batches are not judged, declared units are still converted") {
  auto rows = swinging(kUnitsMinSamples - 1, 3.0);
  for (auto& r : rows) {
    for (int c = kAx; c <= kAz; ++c) r[c] = static_cast<float>(r[c] / kStandardGravity);
    for (int c = kGx; c <= kGz; ++c) r[c] = static_cast<float>(r[c] * 180.0 / kPi);
  }
  CHECK_FALSE(inspect_imu_units(rows).judged);
  auto accepted = rows;
  CHECK(rejected_field([&] { apply_imu_units(accepted, {}, {}); }) == "(accepted)");
  apply_imu_units(rows, {AccelUnit::G, GyroUnit::DegPerSecond}, {});
  CHECK(rows[0][kAz] == Approx(9.80665).margin(1e-3));
  CHECK(rows[0][kGx] == Approx(3.0).margin(1e-4));
}

TEST_CASE("a batch declared in g whose value has no m/s^2 float is refused, not made infinite") {
  // Found by tests/fuzz/imu_body_fuzz: 3e38 g became +inf m/s^2 in a batch the live queue stores.
  std::vector<std::array<float, 6>> rows = {{0.0f, 1.0f, 0.0f, 0.0f, 0.0f, 0.0f}, {3e38f, 1.0f, 0.0f, 0.0f, 0.0f, 0.0f}};
  CHECK(rejected_field([&] { apply_imu_units(rows, {AccelUnit::G, GyroUnit::RadPerSecond}, {}); }) ==
        ImuUnitFields{}.accel_field);
}

TEST_CASE("a file declared in g keeps a value with no m/s^2 float as unknown, not infinite") {
  ImuSeries series = to_series({{0.0f, 1.0f, 0.0f, 0.0f, 0.0f, 0.0f}, {3e38f, 1.0f, 0.0f, 90.0f, 0.0f, 0.0f}});
  apply_imu_units(series, {AccelUnit::G, GyroUnit::DegPerSecond}, {});
  CHECK(std::isnan(series.ch[0][1]));                        // the reader's "unknown", as for inf in a file
  CHECK(series.ch[1][1] == Approx(9.80665f));                // the rest converts as usual
  CHECK(series.ch[3][1] == Approx(90.0 * 3.14159265358979 / 180.0));
  CHECK(series.ch[0][0] == 0.0f);
}

TEST_CASE("a few gyro spikes past full scale are not taken for deg/s") {
  auto rows = swinging(1000, 3.0);
  rows[10][kGy] = 80.0f;   // glitches: two samples are not 1 % of the recording
  rows[500][kGz] = -60.0f;
  CHECK_FALSE(inspect_imu_units(rows).gyro_looks_deg);
  // A still device: no judgement possible for the gyroscope, the accelerometer is fine.
  std::vector<std::array<float, 6>> still(1000, {0.1f, 0.2f, 9.8f, 0.003f, -0.002f, 0.001f});
  const UnitsVerdict v = inspect_imu_units(still);
  CHECK_FALSE(v.accel_looks_g);
  CHECK_FALSE(v.gyro_looks_deg);
}

// The detector must never refuse real m/s^2 + rad/s data, and must catch the same data in g, or
// in deg/s whenever the device turns fast enough for deg/s to leave a gyroscope's rad/s range.
TEST_CASE("real recordings: none refused as they are, all refused in g, moving ones refused in deg/s") {
  IMU2CLIP_REQUIRE_SHARED(imu_dir, "imu");
  std::vector<std::string> files;
  for (const auto& dataset : fs::directory_iterator(imu_dir)) {
    const fs::path rec_dir = dataset.path() / "recordings";
    if (!fs::is_directory(rec_dir)) continue;
    std::vector<std::string> all;
    for (const auto& f : fs::directory_iterator(rec_dir)) all.push_back(f.path().string());
    std::sort(all.begin(), all.end());
    // Every 8th recording of each dataset, plus the extremes of the whole collection: the
    // lowest median |accel| (jumping, DSADS torso), the highest (running, DSADS leg) and the
    // fastest gyroscope (WISDM watch, saturating at 34.9 rad/s).
    for (size_t i = 0; i < all.size(); i += 8) files.push_back(all[i]);
    for (const auto& f : all) {
      const std::string name = fs::path(f).filename().string();
      for (const char* extreme : {"dsads_torso_p5_a18.", "dsads_leg_p4_a12.", "wisdm_1628_O.", "wisdm_1600_O."})
        if (name.rfind(extreme, 0) == 0) files.push_back(f);
    }
  }
  if (auto ego = imu2clip::test::shared_data_dir()) {
    const fs::path ego_dir = fs::path(*ego) / "ego4d_mini/v2/imu";
    if (fs::is_directory(ego_dir))
      for (const auto& f : fs::directory_iterator(ego_dir)) files.push_back(f.path().string());
  }
  REQUIRE(files.size() > 100);

  size_t judged = 0, moving = 0, deg_flagged = 0;
  double lowest_median = 1e9, highest_median = 0;
  for (const auto& path : files) {
    INFO(path);
    const ImuSeries s = read_imu_file(path);
    const UnitsVerdict v = inspect_imu_units(s);
    if (!v.judged) continue;
    ++judged;
    lowest_median = std::min(lowest_median, v.median_accel_norm);
    highest_median = std::max(highest_median, v.median_accel_norm);
    CHECK_FALSE(v.accel_looks_g);
    CHECK_FALSE(v.gyro_looks_deg);
    ImuSeries copy = s;
    CHECK_NOTHROW(apply_imu_units(copy, {}, {}));

    ImuSeries in_g = s;
    for (int c = kAx; c <= kAz; ++c)
      for (float& x : in_g.ch[c]) x = static_cast<float>(x / kStandardGravity);
    CHECK(inspect_imu_units(in_g).accel_looks_g);

    // "Moving": more than 2 % of the samples turn faster than 1 rad/s (57 deg/s) about some
    // axis; in deg/s those are past 35, so the data must be refused.
    size_t fast = 0, finite = 0;
    ImuSeries in_deg = s;
    for (size_t i = 0; i < s.size(); ++i) {
      float m = 0;
      for (int c = kGx; c <= kGz; ++c) m = std::max(m, std::fabs(s.ch[c][i]));
      finite += std::isfinite(m);
      fast += m > 1.0f;
    }
    for (int c = kGx; c <= kGz; ++c)
      for (float& x : in_deg.ch[c]) x = static_cast<float>(x * 180.0 / kPi);
    const bool deg = inspect_imu_units(in_deg).gyro_looks_deg;
    deg_flagged += deg;
    if (fast > finite / 50) {
      ++moving;
      CHECK(deg);
    }
  }
  INFO("judged " << judged << ", moving " << moving << ", deg/s caught " << deg_flagged << ", median |accel| "
                 << lowest_median << " .. " << highest_median);
  CHECK(judged > 100);
  CHECK(moving > judged / 2);
  CHECK(lowest_median > kMaxMedianAccelNormG);
}
