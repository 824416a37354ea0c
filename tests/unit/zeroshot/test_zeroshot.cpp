#include <catch2/catch.hpp>

#include <cmath>

#include "common/error.h"
#include "tagger/text/label_bank.h"
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
