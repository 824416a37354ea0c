#include <catch2/catch.hpp>

#include <cmath>
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
