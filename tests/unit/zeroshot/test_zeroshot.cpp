#include <catch2/catch.hpp>

#include <cmath>

#include "common/error.h"
#include "tagger/text/label_bank.h"
#include "tagger/zeroshot/calibration.h"
#include "tagger/zeroshot/label_scores.h"
#include "tagger/zeroshot/segmenter.h"

using namespace imu2clip;

namespace {
LabelBank axis_bank(int n_labels, int dim) {
  LabelBank bank;
  bank.dim = dim;
  for (int l = 0; l < n_labels; ++l) bank.labels.push_back("label" + std::to_string(l));
  bank.embeddings.assign(static_cast<size_t>(n_labels * dim), 0.f);
  for (int l = 0; l < n_labels; ++l) bank.embeddings[static_cast<size_t>(l * dim + l)] = 1.f;
  return bank;
}

// Score rows where `label` wins with `margin`, over windows of 5 s.
void push_window(std::vector<ScoredWindow>& w, std::vector<float>& s, int n_labels, int label,
                 float margin = 0.5f, bool valid = true) {
  const double start = w.empty() ? 0.0 : w.back().end_s;
  w.push_back({start, start + 5.0, valid});
  for (int l = 0; l < n_labels; ++l) s.push_back(l == label ? 0.2f + margin : 0.2f);
}
}  // namespace

TEST_CASE("cosine scores are dot products against the label bank") {
  auto bank = axis_bank(3, 4);
  const float s = std::sqrt(0.5f);
  std::vector<float> emb = {s, s, 0, 0, 0, 0, 1, 0};
  auto scores = cosine_scores(emb.data(), 2, bank);
  REQUIRE(scores.size() == 6);
  CHECK(scores[0] == Approx(s));
  CHECK(scores[1] == Approx(s));
  CHECK(scores[2] == Approx(0));
  CHECK(scores[5] == Approx(1));
}

TEST_CASE("empty label bank is a clear error") {
  LabelBank bank;
  bank.dim = 4;
  std::vector<float> emb(4, 0.5f);
  CHECK_THROWS_AS(cosine_scores(emb.data(), 1, bank), Error);
}

TEST_CASE("top-k returns best first, clamps k, breaks ties by index") {
  std::vector<float> row = {0.1f, 0.9f, 0.5f, 0.9f};
  auto top = top_k(row.data(), 4, 3);
  REQUIRE(top.size() == 3);
  CHECK(top[0].label == 1);
  CHECK(top[1].label == 3);
  CHECK(top[2].label == 2);
  CHECK(top[0].score == Approx(0.9f));
  CHECK(top_k(row.data(), 4, 10).size() == 4);
  CHECK(top_k(row.data(), 4, 0).empty());
}

TEST_CASE("consecutive windows with one label become one segment with the mean score") {
  std::vector<ScoredWindow> w;
  std::vector<float> s;
  for (int i = 0; i < 4; ++i) push_window(w, s, 3, 1);
  for (int i = 0; i < 3; ++i) push_window(w, s, 3, 2);
  auto segs = segment_windows(w, s, 3, {});
  REQUIRE(segs.size() == 2);
  CHECK(segs[0].label == 1);
  CHECK(segs[0].start_s == 0);
  CHECK(segs[0].end_s == 20);
  CHECK(segs[0].n_windows == 4);
  CHECK(segs[0].mean_score == Approx(0.7f));
  CHECK(segs[1].label == 2);
  CHECK(segs[1].start_s == 20);
  CHECK(segs[1].end_s == 35);
}

TEST_CASE("a single-window flip is smoothed away") {
  std::vector<ScoredWindow> w;
  std::vector<float> s;
  for (int i = 0; i < 5; ++i) push_window(w, s, 3, 0);
  push_window(w, s, 3, 2, 0.1f);  // weak outlier
  for (int i = 0; i < 5; ++i) push_window(w, s, 3, 0);
  auto segs = segment_windows(w, s, 3, {});
  REQUIRE(segs.size() == 1);
  CHECK(segs[0].label == 0);
  CHECK(segs[0].n_windows == 11);
  CHECK(segs[0].end_s == 55);
}

TEST_CASE("with smoothing off and min run 1 every change is kept") {
  std::vector<ScoredWindow> w;
  std::vector<float> s;
  push_window(w, s, 2, 0);
  push_window(w, s, 2, 1);
  push_window(w, s, 2, 0);
  SegmenterOptions opt;
  opt.smooth_windows = 1;
  opt.min_run_windows = 1;
  auto segs = segment_windows(w, s, 2, opt);
  REQUIRE(segs.size() == 3);
  CHECK(segs[1].label == 1);
}

TEST_CASE("invalid windows and time gaps split segments, no activity is claimed over them") {
  std::vector<ScoredWindow> w;
  std::vector<float> s;
  for (int i = 0; i < 3; ++i) push_window(w, s, 2, 0);
  push_window(w, s, 2, 0, 0.5f, /*valid=*/false);
  for (int i = 0; i < 3; ++i) push_window(w, s, 2, 0);
  // a 60 s hole in the recording
  w.push_back({w.back().end_s + 60, w.back().end_s + 65, true});
  s.push_back(0.9f);
  s.push_back(0.1f);
  auto segs = segment_windows(w, s, 2, {});
  REQUIRE(segs.size() == 3);
  CHECK(segs[0].end_s == 15);
  CHECK(segs[1].start_s == 20);
  CHECK(segs[1].end_s == 35);
  CHECK(segs[2].start_s == 95);
}

TEST_CASE("overlapping windows give segments that do not overlap") {
  std::vector<ScoredWindow> w;
  std::vector<float> s;
  SegmenterOptions opt;
  opt.smooth_windows = 1;
  opt.min_run_windows = 1;
  for (int i = 0; i < 6; ++i) {
    w.push_back({i * 2.5, i * 2.5 + 5.0, true});
    const int label = i < 3 ? 0 : 1;
    s.push_back(label == 0 ? 0.9f : 0.1f);
    s.push_back(label == 1 ? 0.9f : 0.1f);
  }
  auto segs = segment_windows(w, s, 2, opt);
  REQUIRE(segs.size() == 2);
  CHECK(segs[0].end_s == Approx(7.5));
  CHECK(segs[1].start_s == Approx(7.5));
  CHECK(segs[1].end_s == Approx(17.5));
}

TEST_CASE("mismatched score matrix is rejected") {
  std::vector<ScoredWindow> w{{0, 5, true}};
  std::vector<float> s{0.1f};
  CHECK_THROWS_AS(segment_windows(w, s, 2, {}), Error);
}

TEST_CASE("the calibration temperature fits the scores' real reliability") {
  // Two labels; the winner's margin is 0.1 and it is right 80 % of the time. The calibrated
  // probability of the winner must come out near 0.8.
  std::vector<float> scores;
  std::vector<int> truth;
  for (int i = 0; i < 1000; ++i) {
    scores.push_back(0.6f);
    scores.push_back(0.5f);
    truth.push_back(i % 5 == 0 ? 1 : 0);
  }
  const double t = fit_temperature(scores, truth, 2);
  CHECK(calibrated_confidence(scores.data(), 2, t) == Approx(0.8).margin(0.01));
  std::vector<double> p;
  calibrated_probabilities(scores.data(), 2, t, p);
  CHECK(p[0] + p[1] == Approx(1.0));
  // Unlabelled rows are ignored; no labelled row at all is an error that says so.
  truth.assign(truth.size(), -1);
  CHECK_THROWS_AS(fit_temperature(scores, truth, 2), Error);
}

TEST_CASE("the confidence threshold keeps the asked-for coverage, each source weighing the same") {
  std::vector<float> scores;
  std::vector<int> truth;
  for (int i = 0; i < 100; ++i) {
    // Margins 0.00 .. 0.99: confidence rises with i.
    scores.push_back(0.5f + 0.01f * i);
    scores.push_back(0.5f);
    truth.push_back(0);
  }
  const double t = 0.05;
  const double th = confidence_threshold(scores, truth, 2, t, 0.8);
  int kept = 0;
  for (int i = 0; i < 100; ++i) kept += calibrated_confidence(&scores[2 * i], 2, t) >= th;
  CHECK(kept == 80);
  CHECK(confidence_threshold(scores, truth, 2, t, 1.0) == 0.0);
  // The first 20 rows weigh as much as the other 80: keeping 50 % drops exactly those 20.
  std::vector<double> w(100, 1.0 / 80);
  for (int i = 0; i < 20; ++i) w[i] = 1.0 / 20;
  const double th2 = confidence_threshold(scores, truth, 2, t, 0.5, w);
  kept = 0;
  for (int i = 0; i < 100; ++i) kept += calibrated_confidence(&scores[2 * i], 2, t) >= th2;
  CHECK(kept == 80);
}

TEST_CASE("windows below the confidence threshold become unclear motion, never a wrong word") {
  std::vector<ScoredWindow> w;
  std::vector<float> s;
  for (int i = 0; i < 4; ++i) push_window(w, s, 3, 0, 0.5f);
  for (int i = 0; i < 4; ++i) push_window(w, s, 3, 1, 0.01f);   // barely above the rest: not sure
  for (int i = 0; i < 4; ++i) push_window(w, s, 3, 2, 0.5f);
  SegmenterOptions o;
  o.smooth_windows = 1;
  auto plain = segment_windows(w, s, 3, o);
  REQUIRE(plain.size() == 3);
  CHECK(plain[1].label == 1);
  o.temperature = 0.05;
  o.min_confidence = 0.6;
  auto segs = segment_windows(w, s, 3, o);
  REQUIRE(segs.size() == 3);
  CHECK(segs[0].label == 0);
  CHECK(segs[1].label == kUnclearLabel);
  CHECK(segs[1].start_s == 20.0);
  CHECK(segs[1].end_s == 40.0);
  CHECK(segs[2].label == 2);
  // A lone unsure window inside a confident run is absorbed like any short run.
  std::vector<ScoredWindow> w2;
  std::vector<float> s2;
  for (int i = 0; i < 3; ++i) push_window(w2, s2, 3, 0, 0.5f);
  push_window(w2, s2, 3, 0, 0.01f);
  for (int i = 0; i < 3; ++i) push_window(w2, s2, 3, 0, 0.5f);
  auto one = segment_windows(w2, s2, 3, o);
  REQUIRE(one.size() == 1);
  CHECK(one[0].label == 0);
  // A model's calibration switches the rule on only when it has one.
  Calibration c;
  CHECK(calibrated(SegmenterOptions{}, c).temperature == 0);
  c.temperature = 0.07;
  c.min_confidence = 0.4;
  CHECK(calibrated(SegmenterOptions{}, c).min_confidence == 0.4);
}
