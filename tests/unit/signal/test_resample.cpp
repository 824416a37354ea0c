#include <catch2/catch.hpp>

#include <cmath>

#include "common/error.h"
#include "tagger/signal/resample.h"

using namespace imu2clip;

namespace {

// All six channels carry f(t) (gyro channels scaled by 0.1 to check they are independent).
template <typename F>
ImuSeries make_series(double rate, double seconds, F f) {
  ImuSeries s;
  const size_t n = static_cast<size_t>(std::llround(seconds * rate)) + 1;
  for (size_t i = 0; i < n; ++i) {
    const double t = static_cast<double>(i) / rate;
    s.t_s.push_back(t);
    for (int c = 0; c < 6; ++c) s.ch[c].push_back(static_cast<float>(f(t) * (c < 3 ? 1.0 : 0.1)));
  }
  return s;
}

double tone(double hz, double t) { return std::sin(2 * M_PI * hz * t); }

// Largest |y - f(t)| over samples whose time lies in [from, to].
template <typename F>
double max_error(const UniformSignal& u, int c, double from, double to, F f) {
  double worst = 0;
  for (size_t k = 0; k < u.size(); ++k) {
    const double t = u.time_of(k);
    if (t < from || t > to) continue;
    worst = std::max(worst, std::abs(u.ch[c][k] - f(t)));
  }
  return worst;
}

}  // namespace

TEST_CASE("upsampling a 10 Hz sine from 100 Hz to 200 Hz matches the analytic signal") {
  const auto src = make_series(100, 2.0, [](double t) { return tone(10, t); });
  const UniformSignal u = resample(src, {});
  CHECK(u.rate_hz == 200);
  CHECK(u.size() == 401);
  CHECK(u.source_rate_hz == Approx(100));
  CHECK_FALSE(u.anti_aliased);
  CHECK(u.invalid_count() == 0);
  // On source instants the value is exact; in between linear interpolation of a 10 Hz sine
  // sampled at 100 Hz errs by at most (dt^2 / 8) * (2 pi 10)^2 = 0.049.
  for (size_t k = 0; k < u.size(); k += 2) REQUIRE(u.ch[kAx][k] == Approx(tone(10, u.time_of(k))).margin(1e-6));
  CHECK(max_error(u, kAx, 0, 2, [](double t) { return tone(10, t); }) < 0.05);
  CHECK(max_error(u, kGz, 0, 2, [](double t) { return 0.1 * tone(10, t); }) < 0.005);
  // Midpoints equal the average of their neighbours: interpolation, not a smoother.
  CHECK(u.ch[kAy][1] == Approx((u.ch[kAy][0] + u.ch[kAy][2]) / 2).margin(1e-6));
}

TEST_CASE("downsampling 200 Hz to 50 Hz removes a 40 Hz tone and keeps a 2 Hz tone") {
  const auto high = make_series(200, 10.0, [](double t) { return tone(40, t); });
  ResampleOptions o;
  o.target_rate_hz = 50;
  const UniformSignal filtered = resample(high, o);
  CHECK(filtered.anti_aliased);
  CHECK(filtered.size() == 501);
  // 60 dB stopband: the 40 Hz tone (which would alias to 10 Hz) is gone, edges included.
  CHECK(max_error(filtered, kAx, 0, 10, [](double) { return 0.0; }) < 0.01);

  // Without the filter the tone aliases at full amplitude: the test above is meaningful.
  o.anti_alias = false;
  CHECK(max_error(resample(high, o), kAx, 0, 10, [](double) { return 0.0; }) > 0.5);

  o.anti_alias = true;
  const auto low = make_series(200, 10.0, [](double t) { return tone(2, t); });
  const UniformSignal passed = resample(low, o);
  CHECK(max_error(passed, kAx, 1, 9, [](double t) { return tone(2, t); }) < 0.005);
  CHECK(max_error(passed, kGx, 1, 9, [](double t) { return 0.1 * tone(2, t); }) < 0.0005);
}

TEST_CASE("the anti-alias filter keeps constants and ramps exact up to the edges") {
  const auto ramp = make_series(400, 3.0, [](double t) { return 9.81 + 2.0 * t; });
  const UniformSignal u = resample(ramp, {});  // 400 -> 200 Hz
  REQUIRE(u.anti_aliased);
  CHECK(max_error(u, kAx, 0, 3, [](double t) { return 9.81 + 2.0 * t; }) < 1e-4);
}

TEST_CASE("grid samples inside a long source gap are invalid, short gaps are bridged") {
  for (double target : {200.0, 50.0}) {  // interpolation path and anti-alias path
    ImuSeries s = make_series(100, 6.0, [](double) { return 1.0; });
    // Remove the source samples strictly between 2.0 s and 3.0 s (a 1.0 s gap) and between
    // 4.0 s and 4.3 s (a 0.3 s gap, below max_gap_s).
    ImuSeries cut;
    for (size_t i = 0; i < s.size(); ++i) {
      const double t = s.t_s[i];
      if ((t > 2.0 + 1e-9 && t < 3.0 - 1e-9) || (t > 4.0 + 1e-9 && t < 4.3 - 1e-9)) continue;
      cut.t_s.push_back(t);
      for (int c = 0; c < 6; ++c) cut.ch[c].push_back(s.ch[c][i]);
    }
    ResampleOptions o;
    o.target_rate_hz = target;
    const UniformSignal u = resample(cut, o);
    size_t invalid = 0;
    for (size_t k = 0; k < u.size(); ++k) {
      const double t = u.time_of(k);
      const bool in_gap = t > 2.0 + 1e-9 && t < 3.0 - 1e-9;
      REQUIRE(static_cast<bool>(u.valid[k]) == !in_gap);
      if (in_gap) {
        REQUIRE(std::isnan(u.ch[kAx][k]));
        ++invalid;
      } else {
        REQUIRE(u.ch[kAx][k] == Approx(1.0).margin(1e-5));  // the filter respects gap edges
      }
    }
    CHECK(invalid == static_cast<size_t>(std::llround(target)) - 1);
  }
}

TEST_CASE("a NaN source value poisons only neighbouring grid samples, which stay valid") {
  ImuSeries s = make_series(100, 1.0, [](double) { return 2.0; });
  s.ch[kGy][50] = std::nanf("");
  const UniformSignal u = resample(s, {});
  size_t nan_count = 0;
  for (size_t k = 0; k < u.size(); ++k) nan_count += std::isnan(u.ch[kGy][k]);
  CHECK(nan_count == 3);  // 0.495..0.505 s: the sample on 0.50 s and the two midpoints around it
  CHECK(std::isnan(u.ch[kGy][100]));
  CHECK(u.invalid_count() == 0);
  CHECK(u.ch[kAx][100] == 2.0f);
}

TEST_CASE("irregular timestamps: median rate and interpolation on the true clock") {
  ImuSeries s;
  for (int i = 0; i < 1000; ++i) {
    const double t = i * 0.01 + ((i % 3) - 1) * 0.002;  // 100 Hz with +-2 ms jitter
    s.t_s.push_back(t + 0.002);
    for (int c = 0; c < 6; ++c) s.ch[c].push_back(static_cast<float>(3.0 * s.t_s.back()));
  }
  CHECK(median_sample_rate_hz(s) == Approx(100).epsilon(0.25));
  const UniformSignal u = resample(s, {});
  CHECK(max_error(u, kAz, 0, 10, [&](double t) { return 3.0 * t; }) < 1e-4);
}

TEST_CASE("resample options are validated and an empty series is refused") {
  ImuSeries one = make_series(100, 0, [](double) { return 1.0; });
  CHECK(resample(one, {}).size() == 1);
  ResampleOptions o;
  o.target_rate_hz = 0;
  try {
    resample(one, o);
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.context().field == "target_rate_hz");
  }
  o = {};
  o.cutoff_fraction = 0.7;
  CHECK_THROWS_AS(resample(one, o), Error);
  CHECK_THROWS_AS(resample(ImuSeries{}, {}), Error);
}

TEST_CASE("low-pass design has unit DC gain and odd, symmetric taps") {
  const auto h = design_lowpass_fir(0.1125, 0.025, 60);
  REQUIRE(h.size() % 2 == 1);
  double sum = 0;
  for (size_t i = 0; i < h.size(); ++i) {
    sum += h[i];
    REQUIRE(h[i] == Approx(h[h.size() - 1 - i]).margin(1e-9));
  }
  CHECK(sum == Approx(1.0).margin(1e-5));
}
