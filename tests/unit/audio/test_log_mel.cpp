#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "tagger/audio/log_mel.h"
#include "tests/support/test_paths.h"

using namespace imu2clip;

namespace {

constexpr double kPi = 3.14159265358979323846;

std::vector<float> tone(double hz, double amplitude, double seconds, double rate) {
  std::vector<float> x(static_cast<size_t>(seconds * rate));
  for (size_t i = 0; i < x.size(); ++i) {
    x[i] = static_cast<float>(amplitude * std::sin(2 * kPi * hz * static_cast<double>(i) / rate));
  }
  return x;
}

ErrorContext context_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::InvalidInput);
    return e.context();
  }
  FAIL("no Error thrown");
  return {};
}

}  // namespace

TEST_CASE("log-mel matches the independent Python reference of the committed fixture") {
  std::ifstream in(test::source_dir() + "/tests/unit/audio/fixtures/log_mel_fixture.json");
  REQUIRE(in);
  nlohmann::json fixture;
  in >> fixture;
  const LogMelOptions options = fixture["options"].get<LogMelOptions>();
  CHECK(options.n_mels == 16);
  const std::vector<float> x = fixture["signal"].get<std::vector<float>>();
  const LogMelFrontEnd front(options);
  const int frames = front.frames(static_cast<int64_t>(x.size()));
  REQUIRE(frames == fixture["frames"].get<int>());
  const std::vector<float> got = front.compute(x);
  REQUIRE(got.size() == static_cast<size_t>(options.n_mels) * static_cast<size_t>(frames));
  double worst = 0;
  for (int m = 0; m < options.n_mels; ++m) {
    for (int t = 0; t < frames; ++t) {
      const double want = fixture["log_mel"][static_cast<size_t>(m)][static_cast<size_t>(t)].get<double>();
      const double diff = std::abs(got[static_cast<size_t>(m * frames + t)] - want);
      worst = std::max(worst, diff);
    }
  }
  INFO("largest |C++ - Python| over all bands and frames: " << worst);
  CHECK(worst < 1e-3);
}

TEST_CASE("log-mel puts a pure tone's energy in the band centred nearest to it") {
  const LogMelFrontEnd front(LogMelOptions{});
  for (double hz : {200.0, 440.0, 1000.0, 2500.0, 6000.0}) {
    const std::vector<float> x = tone(hz, 0.5, 0.5, 16000);
    const std::vector<float> features = front.compute(x);
    const int frames = front.frames(static_cast<int64_t>(x.size()));
    const int t = frames / 2;
    int loudest = 0, nearest = 0;
    for (int m = 0; m < front.n_mels(); ++m) {
      if (features[static_cast<size_t>(m * frames + t)] > features[static_cast<size_t>(loudest * frames + t)]) loudest = m;
      if (std::abs(front.band_centre_hz(m) - hz) < std::abs(front.band_centre_hz(nearest) - hz)) nearest = m;
    }
    INFO(hz << " Hz: loudest band " << loudest << " (centre " << front.band_centre_hz(loudest)
            << " Hz), nearest centre " << nearest << " (" << front.band_centre_hz(nearest) << " Hz)");
    CHECK(loudest == nearest);
  }
}

TEST_CASE("log-mel frame count is 1 + samples / hop with centred zero-padded frames") {
  const LogMelFrontEnd front(LogMelOptions{});
  CHECK(front.frames(0) == 1);
  CHECK(front.frames(159) == 1);
  CHECK(front.frames(160) == 2);
  CHECK(front.frames(16000) == 101);
  CHECK(front.frames(80000) == 501);
  CHECK_THROWS_AS(front.frames(-1), Error);
  CHECK(LogMelOptions{}.frames(80000) == 501);  // no front end (and no FFT library) needed
  // A tone that fills the clip: the edge frames see half zeros, so they read lower than the
  // middle by about the energy the padding leaves out.
  const std::vector<float> x = tone(1000, 0.5, 0.2, 16000);
  const std::vector<float> f = front.compute(x);
  const int frames = front.frames(static_cast<int64_t>(x.size()));
  REQUIRE(f.size() == 64u * static_cast<size_t>(frames));
  int band = 0;
  for (int m = 0; m < 64; ++m) {
    if (std::abs(front.band_centre_hz(m) - 1000) < std::abs(front.band_centre_hz(band) - 1000)) band = m;
  }
  const float first = f[static_cast<size_t>(band * frames)];
  const float middle = f[static_cast<size_t>(band * frames + frames / 2)];
  CHECK(middle - first > std::log(2.0f));
}

TEST_CASE("log-mel of silence is log(log_floor) everywhere") {
  LogMelOptions o;
  o.log_floor = 1e-5;
  const LogMelFrontEnd front(o);
  const std::vector<float> f = front.compute(std::vector<float>(4000, 0.0f));
  REQUIRE(f.size() == 64u * static_cast<size_t>(front.frames(4000)));
  for (float v : f) REQUIRE(v == Approx(std::log(1e-5)).margin(1e-6));
}

TEST_CASE("log-mel filterbank: HTK triangles peaking at 1 without area normalisation") {
  LogMelOptions o;
  o.n_mels = 8;
  const LogMelFrontEnd front(o);
  for (int m = 0; m < 8; ++m) {
    float peak = 0;
    for (int k = 0; k <= o.n_fft / 2; ++k) peak = std::max(peak, front.filter_weight(m, k));
    CHECK(peak > 0.5f);  // no 2/(f_hi - f_lo) scaling, which would make peaks tiny
    CHECK(peak <= 1.0f);
  }
  const double mel_lo = 2595 * std::log10(1 + 50.0 / 700), mel_hi = 2595 * std::log10(1 + 8000.0 / 700);
  const double mel_c0 = mel_lo + (mel_hi - mel_lo) / 9;
  CHECK(front.band_centre_hz(0) == Approx(700 * (std::pow(10.0, mel_c0 / 2595) - 1)));
}

TEST_CASE("log-mel compute is thread-safe and deterministic") {
  const LogMelFrontEnd front(LogMelOptions{});
  const std::vector<float> x = tone(700, 0.3, 1.0, 16000);
  const std::vector<float> want = front.compute(x);
  std::vector<std::vector<float>> got(4);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < got.size(); ++i) {
    threads.emplace_back([&, i] {
      for (int r = 0; r < 5; ++r) got[i] = front.compute(x);
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& g : got) CHECK(g == want);
}

TEST_CASE("log-mel options: validation names the field, JSON keeps defaults for missing keys") {
  auto bad = [](auto mutate) {
    LogMelOptions o;
    mutate(o);
    return context_of([&] { o.validate(); }).field;
  };
  CHECK(bad([](LogMelOptions& o) { o.n_fft = 511; }) == "n_fft");
  CHECK(bad([](LogMelOptions& o) { o.win_length = 600; }) == "win_length");
  CHECK(bad([](LogMelOptions& o) { o.hop = 0; }) == "hop");
  CHECK(bad([](LogMelOptions& o) { o.n_mels = 0; }) == "n_mels");
  CHECK(bad([](LogMelOptions& o) { o.f_max = 9000; }) == "f_max");
  CHECK(bad([](LogMelOptions& o) { o.f_min = 9000; }) == "f_max");
  CHECK(bad([](LogMelOptions& o) { o.log_floor = 0; }) == "log_floor");
  CHECK(bad([](LogMelOptions& o) { o.sample_rate_hz = -1; }) == "sample_rate_hz");
  CHECK_THROWS_AS(LogMelFrontEnd(LogMelOptions{16000, 500, 600}), Error);

  LogMelOptions o;
  o.n_mels = 80;
  o.hop = 320;
  const nlohmann::json j = o;
  const auto back = j.get<LogMelOptions>();
  CHECK(back.n_mels == 80);
  CHECK(back.hop == 320);
  CHECK(back.f_max == 8000);
  const auto partial = nlohmann::json{{"n_mels", 40}}.get<LogMelOptions>();
  CHECK(partial.n_mels == 40);
  CHECK(partial.n_fft == 512);
  CHECK(partial.log_floor == 1e-6);
  CHECK(context_of([] { nlohmann::json{{"hop", "ten"}}.get<LogMelOptions>(); }).field == "hop");
}
