#include <catch2/catch.hpp>

#include "tagger/live/live_windowing.h"
#include "tests/unit/live/live_test_util.h"

using namespace imu2clip;
using namespace imu2clip::test;

namespace {

// 20 s at 50 Hz without the samples strictly inside (hole_from, hole_to) seconds.
std::vector<LiveSample> holed_samples(double hole_from, double hole_to) {
  const Stream s = synthetic_stream(20, 50);
  std::vector<LiveSample> out;
  for (size_t i = 0; i < s.t.size(); ++i) {
    const double t = static_cast<double>(s.t[i] - kStreamStartMs) / 1000.0;
    if (t > hole_from + 1e-9 && t < hole_to - 1e-9) continue;
    out.push_back({s.t[i], s.v[i]});
  }
  return out;
}

// The status the batch path gives window j: resample the whole recording, plan, look.
WindowStatus whole_recording_status(const LiveWindowing& w, const std::vector<LiveSample>& samples, int64_t j) {
  ImuSeries series;
  for (const auto& x : samples) {
    series.t_s.push_back(static_cast<double>(x.t_utc_ms - samples.front().t_utc_ms) / 1000.0);
    for (size_t c = 0; c < 6; ++c) series.ch[c].push_back(x.v[c]);
  }
  const auto plan = plan_windows(resample(series, w.resample), w.window);
  REQUIRE(static_cast<size_t>(j) < plan.windows.size());
  return plan.windows[static_cast<size_t>(j)].status;
}

}  // namespace

TEST_CASE("live windowing: holes around the resampling anchor give the whole recording's verdict", "[live]") {
  const LiveWindowing w = LiveWindowing::for_model(50, 250);
  REQUIRE(w.margin_ms == Approx(800));
  // Window 2 starts at 10 s; its chunk is resampled from 9.2 s on.
  struct Case { double from, to; WindowStatus expected; };
  for (const Case& c : {Case{9.5, 10.3, WindowStatus::Gap},   // hole starts after the anchor, spans the start
                        Case{8.9, 9.9, WindowStatus::Ok},     // anchor inside a hole that ends before the window
                        Case{9.0, 10.1, WindowStatus::Gap},   // anchor inside a hole that reaches into the window
                        Case{11.0, 11.4, WindowStatus::Ok}}) {  // short hole: bridged
    INFO("hole " << c.from << " .. " << c.to);
    const auto all = holed_samples(c.from, c.to);
    REQUIRE(whole_recording_status(w, all, 2) == c.expected);
    // What the store still holds once windows 0 and 1 are tagged: the last sample at or
    // before 9.2 s and everything after it.
    std::vector<LiveSample> kept;
    for (size_t i = 0; i < all.size(); ++i) {
      const bool next_after_anchor = i + 1 < all.size() && all[i + 1].t_utc_ms > kStreamStartMs + 9200;
      if (all[i].t_utc_ms > kStreamStartMs + 9200 || next_after_anchor) kept.push_back(all[i]);
    }
    const LiveChunk chunk = plan_live_chunk(w, kStreamStartMs, 2, kept, kStreamStartMs + 19980.0, 10);
    REQUIRE(!chunk.windows.empty());
    CHECK(chunk.windows[0].index == 2);
    CHECK(chunk.windows[0].start_s == Approx(10.0));
    CHECK(chunk.windows[0].end_s == Approx(15.0));
    CHECK(chunk.windows[0].status == c.expected);
    if (c.expected != WindowStatus::Ok) CHECK(chunk.windows[0].reason.find("gap of") == 0);
  }
}

TEST_CASE("live windowing: a window waits until the data reaches past its last sample", "[live]") {
  const LiveWindowing w = LiveWindowing::for_model(50, 250);
  const Stream s = synthetic_stream(20, 50);
  std::vector<LiveSample> samples;
  for (size_t i = 0; i < s.t.size(); ++i) samples.push_back({s.t[i], s.v[i]});
  // Window 0's last grid sample is at 4.98 s.
  CHECK(plan_live_chunk(w, kStreamStartMs, 0, samples, kStreamStartMs + 4970.0, 10).windows.empty());
  CHECK(plan_live_chunk(w, kStreamStartMs, 0, samples, kStreamStartMs + 4980.0, 10).windows.size() == 1);
  CHECK(plan_live_chunk(w, kStreamStartMs, 0, samples, kStreamStartMs + 19980.0, 10).windows.size() == 4);
  CHECK(plan_live_chunk(w, kStreamStartMs, 0, samples, kStreamStartMs + 19980.0, 3).windows.size() == 3);
}
