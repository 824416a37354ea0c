#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "tagger/audio/audio_gate.h"

using namespace imu2clip;

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kRate = 16000;

// Gaussian white noise with an RMS of `dbfs`.
std::vector<float> noise(double dbfs, double seconds, uint32_t seed = 1) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, static_cast<float>(std::pow(10.0, dbfs / 20)));
  std::vector<float> x(static_cast<size_t>(seconds * kRate));
  for (auto& v : x) v = normal(rng);
  return x;
}

// A sine with an RMS of `dbfs` (amplitude sqrt(2) times the RMS).
std::vector<float> sine(double dbfs, double hz, double seconds) {
  const double amp = std::pow(10.0, dbfs / 20) * std::sqrt(2.0);
  std::vector<float> x(static_cast<size_t>(seconds * kRate));
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(amp * std::sin(2 * kPi * hz * i / kRate));
  return x;
}

GateResult gate(const std::vector<float>& x, const AudioGateOptions& o = {}) {
  return gate_window(x.data(), static_cast<int64_t>(x.size()), o);
}

}  // namespace

TEST_CASE("gate: digital silence, an empty window and very quiet white noise are quiet") {
  const GateResult silence = gate(std::vector<float>(80000, 0.0f));
  CHECK(silence.quiet);
  CHECK(silence.rms_dbfs == kSilenceDbfs);
  CHECK(gate_window(nullptr, 0, {}).quiet);
  const GateResult hiss = gate(noise(-70, 5));
  CHECK(hiss.quiet);
  CHECK(hiss.rms_dbfs == Approx(-70).margin(0.2));
  CHECK(hiss.spectral_flatness > 0.9);
  CHECK(hiss.level_spread_db < 1.5);
  // Steady white hiss between the two levels is still quiet.
  CHECK(gate(noise(-55, 5)).quiet);
  // Hiss with the tail of the window zero-padded stays steady hiss.
  std::vector<float> padded = noise(-55, 3);
  padded.resize(80000, 0.0f);
  CHECK(gate(padded).quiet);
}

TEST_CASE("gate: loud tones and noise, aircon-level noise and faint hums are not quiet") {
  CHECK_FALSE(gate(sine(-20, 1000, 5)).quiet);
  CHECK_FALSE(gate(noise(-20, 5)).quiet);
  // Air conditioners measured -39..-43 dBFS: above quiet_below_dbfs, whatever the spectrum.
  const GateResult aircon = gate(noise(-45, 5));
  CHECK_FALSE(aircon.quiet);
  CHECK(aircon.rms_dbfs == Approx(-45).margin(0.2));
  // A fridge-like hum between the levels: tonal, so a sound, not room tone.
  const GateResult hum = gate(sine(-58, 100, 5));
  CHECK_FALSE(hum.quiet);
  CHECK(hum.spectral_flatness < 0.1);
}

TEST_CASE("gate: a short knock in faint hiss is a sound") {
  std::vector<float> x = noise(-62, 5, 3);
  const std::vector<float> knock = noise(-35, 0.05, 4);
  std::copy(knock.begin(), knock.end(), x.begin() + 40000);
  const GateResult g = gate(x);
  CHECK(g.rms_dbfs < -50);
  CHECK(g.peak_block_dbfs > -50);
  CHECK_FALSE(g.quiet);
  // Uneven faint activity (bursts 15 dB above the hiss, 20% of the time) is not steady.
  std::vector<float> bursts = noise(-68, 5, 5);
  const std::vector<float> loud = noise(-53, 5, 6);
  for (size_t i = 0; i < bursts.size(); ++i) {
    if ((i / 4000) % 5 == 0) bursts[i] = loud[i];
  }
  const GateResult b = gate(bursts);
  CHECK(b.rms_dbfs > -75);
  CHECK(b.level_spread_db > 3);
  CHECK_FALSE(b.quiet);
}

TEST_CASE("gate: a full-scale sine reads -3.01 dBFS") {
  CHECK(gate(sine(-3.0103, 997, 1)).rms_dbfs == Approx(-3.0103).margin(0.005));
  std::vector<float> x(16000);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(std::sin(2 * kPi * 997 * i / kRate));
  CHECK(gate(x).rms_dbfs == Approx(-3.0103).margin(0.005));
}

TEST_CASE("gate: NaN or inf samples are reported as non-finite, never quiet") {
  std::vector<float> x = noise(-70, 1);
  x[1234] = std::numeric_limits<float>::quiet_NaN();
  const GateResult g = gate(x);
  CHECK(g.non_finite);
  CHECK_FALSE(g.quiet);
  CHECK(std::isnan(g.rms_dbfs));
  x[1234] = std::numeric_limits<float>::infinity();
  CHECK(gate(x).non_finite);
}

TEST_CASE("gate options: JSON round trip, defaults for missing keys, validation names the field") {
  AudioGateOptions o;
  o.quiet_below_dbfs = -45;
  const nlohmann::json j = o;
  const auto back = j.get<AudioGateOptions>();
  CHECK(back.quiet_below_dbfs == -45);
  CHECK(back.noise_floor_dbfs == o.noise_floor_dbfs);
  CHECK(back.quiet_max_level_spread_db == o.quiet_max_level_spread_db);
  const auto partial = nlohmann::json{{"noise_floor_dbfs", -80}}.get<AudioGateOptions>();
  CHECK(partial.noise_floor_dbfs == -80);
  CHECK(partial.quiet_min_flatness == AudioGateOptions{}.quiet_min_flatness);
  AudioGateOptions bad;
  bad.noise_floor_dbfs = -40;  // above quiet_below_dbfs
  try {
    bad.validate();
    FAIL("no Error thrown");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::InvalidInput);
    CHECK(e.context().field == "noise_floor_dbfs");
  }
  bad = {};
  bad.quiet_min_flatness = 2;
  CHECK_THROWS_AS(bad.validate(), Error);
  const nlohmann::json wrong_type = {{"quiet_below_dbfs", "loud"}};
  CHECK_THROWS_AS(wrong_type.get<AudioGateOptions>(), Error);
}
