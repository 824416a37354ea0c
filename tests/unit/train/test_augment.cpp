#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdlib>
#include <vector>

#include "tagger/text/text_tower.h"
#include "tagger/train/augment.h"
#include "tagger/train/batch_loader.h"

using namespace imu2clip;

TEST_CASE("random rotations are proper rotations applied to accel and gyro alike") {
  TrainRng rng(7);
  for (int trial = 0; trial < 20; ++trial) {
    float m[9];
    random_rotation(rng, m);
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) {
        double dot = 0;
        for (int k = 0; k < 3; ++k) dot += m[i * 3 + k] * m[j * 3 + k];
        CHECK(dot == Approx(i == j ? 1.0 : 0.0).margin(1e-5));
      }
    const double det = m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) +
                       m[2] * (m[3] * m[7] - m[4] * m[6]);
    CHECK(det == Approx(1.0).margin(1e-5));
  }
  // Rotation keeps every sample's accel and gyro magnitude, and moves gravity off the z axis.
  const int T = 50;
  std::vector<float> w(6 * T);
  for (int t = 0; t < T; ++t) {
    w[0 * T + t] = 0.1f * t, w[1 * T + t] = 1, w[2 * T + t] = 9.81f;
    w[3 * T + t] = 0.2f, w[4 * T + t] = -0.1f * t, w[5 * T + t] = 0.05f;
  }
  auto original = w;
  AugmentOptions a;
  a.rotate = true;
  TrainRng r2(11);
  augment_window(w.data(), T, a, r2);
  for (int t = 0; t < T; ++t)
    for (int s = 0; s < 2; ++s) {
      auto norm = [&](const std::vector<float>& v) {
        return std::sqrt(std::pow(v[(3 * s) * T + t], 2) + std::pow(v[(3 * s + 1) * T + t], 2) +
                         std::pow(v[(3 * s + 2) * T + t], 2));
      };
      CHECK(norm(w) == Approx(norm(original)).epsilon(1e-4));
    }
  CHECK(w[2 * T] != Approx(9.81f));
}

TEST_CASE("time shift repeats edge samples instead of wrapping around") {
  const int T = 100;
  std::vector<float> w(6 * T);
  for (int c = 0; c < 6; ++c)
    for (int t = 0; t < T; ++t) w[c * T + t] = static_cast<float>(t);
  AugmentOptions a;
  a.shift = true;
  a.shift_fraction = 0.2;
  TrainRng rng(5);
  bool moved = false;
  for (int trial = 0; trial < 10; ++trial) {
    auto x = w;
    augment_window(x.data(), T, a, rng);
    const float shift = x[50] - 50;  // interior samples move by the shift
    CHECK(std::abs(shift) <= 20);
    moved |= shift != 0;
    for (int t = 0; t < T; ++t) CHECK(x[t] == std::clamp<float>(t + shift, 0, T - 1));
  }
  CHECK(moved);
}

TEST_CASE("batches depend only on seed, epoch and batch index") {
  TrainingData d;
  d.samples = 20;
  d.texts = {"walking", "sitting"};
  d.text_is_label = {1, 1};
  for (int i = 0; i < 40; ++i) {
    d.text.push_back(i % 2);
    for (int k = 0; k < 6 * 20; ++k) d.windows.push_back(static_cast<float>(i));
  }
  auto tower = make_text_tower("lexical-v1", nlohmann::json::object());
  const auto targets = TextTargets::build(*tower, d.texts, d.text_is_label, {"{label}", "a person {label}"});
  CHECK(targets.count == std::vector<int>{2, 2});
  AugmentOptions aug = AugmentOptions::parse("rot,jitter");
  BatchPlanOptions plan;
  plan.batch_size = 8;
  auto collect = [&](int64_t epoch) {
    BatchLoader loader(d, targets, aug, plan, 42, epoch, 2);
    std::vector<TrainBatch> out;
    while (auto b = loader.next()) out.push_back(std::move(*b));
    return out;
  };
  const auto a = collect(1), again = collect(1), other = collect(2);
  REQUIRE(a.size() == 5);
  for (size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].imu == again[i].imu);
    CHECK(a[i].target_row == again[i].target_row);
  }
  CHECK(a[0].text != other[0].text);
  // Each window's target row belongs to its own text.
  for (const auto& b : a)
    for (int k = 0; k < b.size; ++k) CHECK(b.target_row[k] / 2 == b.text[k]);
}

TEST_CASE("yaw augmentation turns the device about gravity and keeps the posture") {
  const int T = 100;
  std::vector<float> w(6 * T);
  for (int t = 0; t < T; ++t) {
    // A tilted device at rest plus a horizontal swing: gravity (3, 0, 9.3), sway along y.
    w[0 * T + t] = 3.f, w[1 * T + t] = std::sin(0.3f * t), w[2 * T + t] = 9.3f;
    w[3 * T + t] = 0.4f * std::cos(0.3f * t), w[4 * T + t] = 0.f, w[5 * T + t] = 0.1f;
  }
  AugmentOptions a;
  a.yaw = true;
  a.tilt_deg = 0;
  bool moved = false;
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    auto x = w;
    TrainRng rng(seed);
    augment_window(x.data(), T, a, rng);
    double mean[3] = {0, 0, 0}, mean0[3] = {0, 0, 0};
    for (int c = 0; c < 3; ++c)
      for (int t = 0; t < T; ++t) mean[c] += x[c * T + t] / T, mean0[c] += w[c * T + t] / T;
    // The mean acceleration (gravity, the posture cue) is the rotation axis: it stays put.
    for (int c = 0; c < 3; ++c) CHECK(mean[c] == Approx(mean0[c]).margin(1e-3));
    for (int t = 0; t < T; ++t) {
      double n0 = 0, n1 = 0;
      for (int c = 3; c < 6; ++c) n0 += w[c * T + t] * w[c * T + t], n1 += x[c * T + t] * x[c * T + t];
      CHECK(std::sqrt(n1) == Approx(std::sqrt(n0)).margin(1e-4));
    }
    moved = moved || std::abs(x[1 * T + 5] - w[1 * T + 5]) > 0.05f;
  }
  CHECK(moved);   // the horizontal sway turned
  // With a tilt the gravity direction moves by at most tilt_deg.
  a.tilt_deg = 10;
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    auto x = w;
    TrainRng rng(seed);
    augment_window(x.data(), T, a, rng);
    double g0[3] = {0, 0, 0}, g1[3] = {0, 0, 0};
    for (int c = 0; c < 3; ++c)
      for (int t = 0; t < T; ++t) g0[c] += w[c * T + t], g1[c] += x[c * T + t];
    const double dot = g0[0] * g1[0] + g0[1] * g1[1] + g0[2] * g1[2];
    const double angle = std::acos(std::min(1.0, dot / std::sqrt((g0[0] * g0[0] + g0[1] * g0[1] + g0[2] * g0[2]) *
                                                                 (g1[0] * g1[0] + g1[1] * g1[1] + g1[2] * g1[2]))));
    CHECK(angle * 180 / M_PI <= 10.0 + 1e-3);
  }
}

TEST_CASE("low-pass augmentation removes fast motion and keeps gravity") {
  const int T = 250;
  const double rate = 50;
  std::vector<float> ch(T);
  // 9.8 m/s^2 of gravity + a 1 Hz sway + a 20 Hz buzz.
  for (int t = 0; t < T; ++t)
    ch[t] = static_cast<float>(9.8 + std::sin(2 * M_PI * 1.0 * t / rate) + std::sin(2 * M_PI * 20.0 * t / rate));
  auto y = ch;
  lowpass_zero_phase(y.data(), T, 5.0, rate);
  double buzz = 0, sway = 0;
  for (int t = 50; t < 200; ++t) {
    const double expected = 9.8 + std::sin(2 * M_PI * 1.0 * t / rate);
    buzz = std::max(buzz, std::abs(y[t] - expected));
    sway = std::max(sway, std::abs(y[t] - 9.8));
  }
  CHECK(buzz < 0.1);     // the 20 Hz part is gone (it was 1.0)
  CHECK(sway > 0.9);     // the 1 Hz part stays (zero phase, ~unit gain)
  CHECK(std::abs(y[0] - 9.8) < 0.6);   // the edges start from the signal, not from 0
  // A cutoff at or above Nyquist leaves the signal alone.
  auto z = ch;
  lowpass_zero_phase(z.data(), T, 30.0, rate);
  CHECK(z == ch);
}

TEST_CASE("dataset balance gives each source its share of an epoch") {
  TrainingData d;
  d.channels = 6;
  d.samples = 1;
  d.sources = {"big", "small"};
  for (int i = 0; i < 900; ++i) d.text.push_back(0), d.source.push_back(0);
  for (int i = 0; i < 100; ++i) d.text.push_back(1), d.source.push_back(1);
  d.windows.assign(d.text.size() * 6, 0.f);
  BatchPlanOptions plan;
  auto share_of_small = [&](double balance) {
    plan.dataset_balance = balance;
    const auto order = epoch_order(d, plan, 3, 1);
    REQUIRE(order.size() == d.size());
    size_t small = 0;
    for (size_t i : order) small += d.source[i] == 1;
    return static_cast<double>(small) / static_cast<double>(order.size());
  };
  CHECK(share_of_small(1.0) == Approx(0.1));
  CHECK(share_of_small(0.0) == Approx(0.5).margin(0.002));
  CHECK(share_of_small(0.5) == Approx(10.0 / 40.0).margin(0.002));   // sqrt(100) / (sqrt(900) + sqrt(100))
  // Natural order is a permutation; a balanced one is deterministic in (seed, epoch).
  plan.dataset_balance = 0.5;
  CHECK(epoch_order(d, plan, 3, 1) == epoch_order(d, plan, 3, 1));
  CHECK(epoch_order(d, plan, 3, 1) != epoch_order(d, plan, 3, 2));
}

TEST_CASE("rot=P rotates only that share of the windows") {
  CHECK(AugmentOptions::parse("rot=0.5,scale").rotate_probability == 0.5);
  CHECK(AugmentOptions::parse("rot=0.5,scale").to_string() == "rot=0.5,scale");
  CHECK(AugmentOptions::parse("rot").rotate_probability == 1.0);
  CHECK_THROWS_WITH(AugmentOptions::parse("rot=2"), Catch::Contains("rotation probability"));
  CHECK_THROWS_WITH(AugmentOptions::parse("rot=x"), Catch::Contains("rotation probability"));
  AugmentOptions a = AugmentOptions::parse("rot=0.5");
  const int T = 10;
  int rotated = 0;
  TrainRng rng(3);
  for (int trial = 0; trial < 400; ++trial) {
    std::vector<float> w(6 * T, 0.f);
    for (int t = 0; t < T; ++t) w[2 * T + t] = 9.81f;   // gravity on z
    augment_window(w.data(), T, a, rng);
    rotated += std::abs(w[2 * T] - 9.81f) > 1e-3f;
  }
  CHECK(rotated > 160);
  CHECK(rotated < 240);
}
