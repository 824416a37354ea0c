// Retrieval and classification metrics against hand-computed examples.
#include <catch2/catch.hpp>

#include <vector>

#include "common/error.h"
#include "tagger/eval/metrics.h"

using namespace imu2clip;
using Catch::Detail::Approx;

TEST_CASE("strict retrieval: R@k and MRR of a 3 x 3 matrix without ties", "[eval][metrics]") {
  // Query 0: positive 0.9 is best -> rank 1. Query 1: item 0 (0.8) beats the positive 0.5,
  // item 2 (0.1) does not -> rank 2. Query 2: both others beat the positive 0.0 -> rank 3.
  const std::vector<float> s = {0.9f, 0.1f, 0.2f,
                                0.8f, 0.5f, 0.1f,
                                0.3f, 0.2f, 0.0f};
  const RetrievalMetrics m = retrieval_metrics_strict(s.data(), 3);
  CHECK(m.queries == 3);
  CHECK(m.r1 == Approx(1.0 / 3));
  CHECK(m.r10 == Approx(1.0));
  CHECK(m.r50 == Approx(1.0));
  CHECK(m.mrr == Approx((1.0 + 1.0 / 2 + 1.0 / 3) / 3));
}

TEST_CASE("strict retrieval: ties are broken at random in expectation", "[eval][metrics]") {
  // Query 0: the positive ties with one other item -> rank 1 or 2 with equal probability:
  // R@1 = 1/2, RR = (1 + 1/2) / 2 = 3/4. Query 1: ties with both others -> ranks 1..3:
  // R@1 = 1/3, RR = (1 + 1/2 + 1/3) / 3 = 11/18.
  const std::vector<float> s = {0.5f, 0.5f, 0.1f,
                                0.7f, 0.7f, 0.7f};
  const RetrievalMetrics m = retrieval_metrics(s.data(), 2, 3, {0, 1}, {0, 1, 2});
  CHECK(m.r1 == Approx((0.5 + 1.0 / 3) / 2));
  CHECK(m.mrr == Approx((0.75 + 11.0 / 18) / 2));
  CHECK(m.r10 == Approx(1.0));
}

TEST_CASE("a constant similarity matrix scores like chance, not like a perfect model", "[eval][metrics]") {
  // A collapsed model gives every item the same score: R@1 must be 1/n, not 1.
  const int n = 100;
  const std::vector<float> s(n * n, 0.25f);
  const RetrievalMetrics m = retrieval_metrics_strict(s.data(), n);
  CHECK(m.r1 == Approx(0.01));
  CHECK(m.r10 == Approx(0.10));
  CHECK(m.r50 == Approx(0.50));
  double mrr = 0;
  for (int r = 1; r <= n; ++r) mrr += 1.0 / r;
  CHECK(m.mrr == Approx(mrr / n));
}

TEST_CASE("retrieval with several positives ranks the best positive", "[eval][metrics]") {
  // Items 0 and 1 share query 0's text (group 7); item 2 is a negative.
  // Query 0: negative 0.9 > positives 0.8, 0.3 -> first positive at rank 2.
  // Query 1 (group 8, only item 2): positive 0.2 below both others -> rank 3.
  const std::vector<float> s = {0.8f, 0.3f, 0.9f,
                                0.6f, 0.6f, 0.2f};
  const RetrievalMetrics m = retrieval_metrics(s.data(), 2, 3, {7, 8}, {7, 7, 8});
  CHECK(m.r1 == Approx(0.0));
  CHECK(m.mrr == Approx((0.5 + 1.0 / 3) / 2));

  // Two positives tied with one negative at the top: the first positive is at rank 1 unless
  // the negative comes first (probability 1/3): R@1 = 2/3, RR = 2/3 + 1/3 * 1/2 = 5/6.
  const std::vector<float> tie = {0.5f, 0.5f, 0.5f};
  const RetrievalMetrics t = retrieval_metrics(tie.data(), 1, 3, {7}, {7, 7, 8});
  CHECK(t.r1 == Approx(2.0 / 3));
  CHECK(t.mrr == Approx(5.0 / 6));
}

TEST_CASE("expected_rank: R@10 and R@50 cut through a block of ties", "[eval][metrics]") {
  // 8 negatives above, then the positive tied with 4 negatives: rank 9..13 uniformly.
  const ExpectedRank r = expected_rank(8, 4, 1);
  CHECK(r.hit_1 == Approx(0.0));
  CHECK(r.hit_10 == Approx(2.0 / 5));   // ranks 9 and 10 of 9..13
  CHECK(r.hit_50 == Approx(1.0));
  CHECK(r.reciprocal_rank == Approx((1.0 / 9 + 1.0 / 10 + 1.0 / 11 + 1.0 / 12 + 1.0 / 13) / 5));
  const ExpectedRank beyond = expected_rank(60, 0, 1);
  CHECK(beyond.hit_50 == Approx(0.0));
  CHECK(beyond.reciprocal_rank == Approx(1.0 / 61));
}

TEST_CASE("retrieval rejects a query without a positive", "[eval][metrics]") {
  const std::vector<float> s = {0.1f, 0.2f};
  CHECK_THROWS_AS(retrieval_metrics(s.data(), 1, 2, {5}, {1, 2}), Error);
}

TEST_CASE("classification report: accuracy, per-class metrics, macro-F1 and confusion", "[eval][metrics]") {
  // labels: 0 walking, 1 sitting, 2 lying (never predicted), 3 cycling (absent from the truth).
  const std::vector<std::string> labels = {"walking", "sitting", "lying", "cycling"};
  const std::vector<int> truth = {0, 0, 0, 1, 1, 2, 2, 0};
  const std::vector<int> pred = {0, 0, 1, 1, 1, 1, 0, 3};
  const ClassificationReport r = classification_report(truth, pred, labels);
  CHECK(r.n == 8);
  CHECK(r.accuracy == Approx(4.0 / 8));   // windows 0, 1, 3, 4
  // walking: support 4, predicted 3 (windows 0, 1, 6), correct 2 -> P 2/3, R 1/2, F1 4/7.
  CHECK(r.per_class[0].support == 4);
  CHECK(r.per_class[0].predicted == 3);
  CHECK(r.per_class[0].precision == Approx(2.0 / 3));
  CHECK(r.per_class[0].recall == Approx(0.5));
  CHECK(r.per_class[0].f1 == Approx(4.0 / 7));
  // sitting: support 2, predicted 4 (windows 2, 3, 4, 5), correct 2 -> P 1/2, R 1, F1 2/3.
  CHECK(r.per_class[1].precision == Approx(0.5));
  CHECK(r.per_class[1].recall == Approx(1.0));
  CHECK(r.per_class[1].f1 == Approx(2.0 / 3));
  // lying: never predicted -> precision 0, recall 0, F1 0, but it counts in macro-F1.
  CHECK(r.per_class[2].support == 2);
  CHECK(r.per_class[2].predicted == 0);
  CHECK(r.per_class[2].precision == 0);
  CHECK(r.per_class[2].f1 == 0);
  // cycling: absent from the truth, predicted once (wrongly) -> F1 0, left out of macro-F1.
  CHECK(r.per_class[3].support == 0);
  CHECK(r.per_class[3].predicted == 1);
  CHECK(r.per_class[3].f1 == 0);
  CHECK(r.classes_in_truth == 3);
  CHECK(r.macro_f1 == Approx((4.0 / 7 + 2.0 / 3 + 0.0) / 3));
  // Confusion: row = truth, column = prediction.
  CHECK(r.confusion_at(0, 0) == 2);
  CHECK(r.confusion_at(0, 1) == 1);
  CHECK(r.confusion_at(0, 3) == 1);
  CHECK(r.confusion_at(1, 1) == 2);
  CHECK(r.confusion_at(2, 0) == 1);
  CHECK(r.confusion_at(2, 1) == 1);
  CHECK(r.confusion_at(3, 3) == 0);
  int64_t total = 0;
  for (int64_t v : r.confusion) total += v;
  CHECK(total == 8);
}

TEST_CASE("classification report: perfect predictions and bad input", "[eval][metrics]") {
  const ClassificationReport r = classification_report({1, 0, 1}, {1, 0, 1}, {"a", "b"});
  CHECK(r.accuracy == Approx(1.0));
  CHECK(r.macro_f1 == Approx(1.0));
  CHECK_THROWS_AS(classification_report({0, 1}, {0}, {"a", "b"}), Error);
  CHECK_THROWS_AS(classification_report({0, 2}, {0, 1}, {"a", "b"}), Error);
}
