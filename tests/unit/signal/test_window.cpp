#include <catch2/catch.hpp>

#include <cmath>

#include "common/error.h"
#include "tagger/io/imu_series.h"
#include "tagger/signal/resample.h"
#include "tagger/signal/window.h"

using namespace imu2clip;

namespace {

// n samples at `rate`; channel c holds 100*c + k so copies can be checked exactly.
UniformSignal make_signal(double rate, size_t n) {
  UniformSignal s;
  s.rate_hz = rate;
  s.valid.assign(n, 1);
  for (int c = 0; c < 6; ++c) {
    s.ch[c].resize(n);
    for (size_t k = 0; k < n; ++k) s.ch[c][k] = static_cast<float>(100 * c + k);
  }
  return s;
}

void invalidate(UniformSignal& s, size_t begin, size_t end) {
  for (size_t k = begin; k < end; ++k) {
    s.valid[k] = 0;
    for (auto& c : s.ch) c[k] = std::nanf("");
  }
}

}  // namespace

TEST_CASE("windows: counts, strides and no trailing partial window") {
  const UniformSignal s = make_signal(10, 125);  // 12.5 s
  WindowOptions o;
  WindowPlan plan = plan_windows(s, o);
  CHECK(plan.samples_per_window == 50);
  REQUIRE(plan.windows.size() == 2);
  CHECK(plan.windows[1].index == 1);
  CHECK(plan.windows[1].first_sample == 50);
  CHECK(plan.windows[1].start_s == Approx(5.0));
  CHECK(plan.windows[1].end_s == Approx(10.0));
  CHECK(plan.has_trailing_partial);
  CHECK(plan.trailing_partial_start_s == Approx(10.0));
  CHECK(plan.trailing_partial_s == Approx(2.5));
  CHECK(plan.count(WindowStatus::Ok) == 2);

  o.stride_s = 2.5;
  plan = plan_windows(s, o);
  REQUIRE(plan.windows.size() == 4);
  CHECK(plan.windows[3].first_sample == 75);
  CHECK(plan.windows[3].end_s == Approx(12.5));
  CHECK(plan.trailing_partial_start_s == Approx(10.0));

  const WindowPlan exact = plan_windows(make_signal(10, 100), {});
  CHECK(exact.windows.size() == 2);
  CHECK_FALSE(exact.has_trailing_partial);
  const WindowPlan short_signal = plan_windows(make_signal(10, 30), {});
  CHECK(short_signal.windows.empty());
  CHECK(short_signal.trailing_partial_s == Approx(3.0));
}

TEST_CASE("a long gap makes a Gap window with its length and time") {
  UniformSignal s = make_signal(100, 2000);  // 20 s
  invalidate(s, 1201, 1330);                 // valid 12.00 s ... 13.30 s bracket the gap
  const WindowPlan plan = plan_windows(s, {});
  REQUIRE(plan.windows.size() == 4);
  CHECK(plan.windows[1].status == WindowStatus::Ok);
  CHECK(plan.windows[2].status == WindowStatus::Gap);
  CHECK(plan.windows[2].reason == "gap of 1.30 s at 12.00 s");
  CHECK(plan.windows[3].status == WindowStatus::Ok);
  std::vector<float> buf(6 * 500);
  CHECK_THROWS_AS(copy_window(s, plan.windows[2], 500, buf.data()), Error);
}

TEST_CASE("many short gaps make a TooFewSamples window, one short gap is bridged") {
  UniformSignal s = make_signal(100, 1000);  // two 5 s windows
  for (size_t b = 0; b < 500; b += 100) invalidate(s, b + 10, b + 30);  // 20 % invalid, each 0.21 s
  invalidate(s, 600, 610);                                              // 2 % invalid, 0.11 s
  const WindowPlan plan = plan_windows(s, {});
  REQUIRE(plan.windows.size() == 2);
  CHECK(plan.windows[0].status == WindowStatus::TooFewSamples);
  CHECK(plan.windows[0].reason == "only 80.0% of samples valid (needs 90%)");
  REQUIRE(plan.windows[1].status == WindowStatus::Ok);

  std::vector<float> out(6 * 500);
  copy_window(s, plan.windows[1], 500, out.data());
  // Channel-major layout, and the bridged samples lie on the line between 599 and 610.
  CHECK(out[0] == 500);
  CHECK(out[3 * 500 + 7] == 300 + 507);
  for (size_t k = 600; k < 610; ++k) CHECK(out[2 * 500 + (k - 500)] == Approx(200 + k));
}

TEST_CASE("a non-finite valid sample makes a NonFinite window naming channel and time") {
  UniformSignal s = make_signal(200, 2000);
  s.ch[kGy][1234] = std::nanf("");
  const WindowPlan plan = plan_windows(s, {});
  REQUIRE(plan.windows.size() == 2);
  CHECK(plan.windows[0].status == WindowStatus::Ok);
  CHECK(plan.windows[1].status == WindowStatus::NonFinite);
  CHECK(plan.windows[1].reason == "non-finite value in gy at 6.17 s");
  std::vector<float> out(6 * 1000);
  CHECK_THROWS_AS(copy_window(s, plan.windows[1], 1000, out.data()), Error);
  // A hand-made Ok spec over NaN data is still refused: never a silent bad window.
  WindowSpec forged = plan.windows[1];
  forged.status = WindowStatus::Ok;
  CHECK_THROWS_AS(copy_window(s, forged, 1000, out.data()), Error);
  CHECK_THROWS_AS(copy_window(s, plan.windows[0], 1001 + 1000, out.data()), Error);
}

TEST_CASE("window options are validated with the field name") {
  const UniformSignal s = make_signal(200, 2000);
  auto field_of = [&](WindowOptions o) {
    try {
      plan_windows(s, o);
    } catch (const Error& e) {
      return e.context().field;
    }
    return std::string("none");
  };
  WindowOptions o;
  o.stride_s = 0;
  CHECK(field_of(o) == "stride_s");
  o = {};
  o.size_s = 0.001;
  CHECK(field_of(o) == "size_s");
  o = {};
  o.min_valid_fraction = 1.5;
  CHECK(field_of(o) == "min_valid_fraction");
  o = {};
  o.max_gap_s = -1;
  CHECK(field_of(o) == "max_gap_s");
  CHECK(field_of({}) == "none");
}

TEST_CASE("resampled recording with a gap: windows around it are Ok, the one over it is a Gap") {
  ImuSeries src;
  for (int i = 0; i <= 1500; ++i) {  // 50 Hz for 30 s, no samples between 17 s and 19 s
    const double t = i * 0.02;
    if (t > 17.0 + 1e-9 && t < 19.0 - 1e-9) continue;
    src.t_s.push_back(t);
    for (int c = 0; c < 6; ++c) src.ch[c].push_back(static_cast<float>(std::sin(t + c)));
  }
  const UniformSignal u = resample(src, {});
  const WindowPlan plan = plan_windows(u, {});
  REQUIRE(plan.windows.size() == 6);
  for (const auto& w : plan.windows) {
    if (w.index == 3) {
      CHECK(w.status == WindowStatus::Gap);
      CHECK(w.reason == "gap of 2.00 s at 17.00 s");
    } else {
      CHECK(w.status == WindowStatus::Ok);
    }
  }
  CHECK(plan.has_trailing_partial);  // 30 s at 200 Hz is 6001 samples: 1 sample left over
  CHECK(plan.trailing_partial_s == Approx(0.005));
}
