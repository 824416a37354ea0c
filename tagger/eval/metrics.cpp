#include "tagger/eval/metrics.h"

#include "common/error.h"

namespace imu2clip {

ExpectedRank expected_rank(int64_t greater, int64_t tied_negatives, int64_t tied_positives) {
  if (greater < 0 || tied_negatives < 0 || tied_positives < 1) {
    throw Error(ErrorKind::Internal, "expected_rank: invalid counts");
  }
  // X = tied negatives ordered before the first tied positive in a uniformly random order of
  // the tied block: P(X >= x) = prod_{i<x} (tn - i) / (tn + tp - i). Rank = greater + 1 + X.
  const int64_t tn = tied_negatives, m = tied_negatives + tied_positives;
  ExpectedRank r;
  double at_least = 1.0;   // P(X >= x)
  for (int64_t x = 0; x <= tn; ++x) {
    const double at_least_next = x < tn ? at_least * static_cast<double>(tn - x) / static_cast<double>(m - x) : 0.0;
    const double p = at_least - at_least_next;   // P(X == x)
    const int64_t rank = greater + 1 + x;
    r.reciprocal_rank += p / static_cast<double>(rank);
    if (rank <= 1) r.hit_1 += p;
    if (rank <= 10) r.hit_10 += p;
    if (rank <= 50) r.hit_50 += p;
    at_least = at_least_next;
    if (rank > 50 && at_least < 1e-15) break;   // the remaining terms are negligible
  }
  return r;
}

RetrievalMetrics retrieval_metrics(const float* similarity, int64_t n_queries, int64_t n_items,
                                   const std::vector<int64_t>& query_group,
                                   const std::vector<int64_t>& item_group) {
  if (static_cast<int64_t>(query_group.size()) != n_queries || static_cast<int64_t>(item_group.size()) != n_items) {
    throw Error(ErrorKind::InvalidInput, "retrieval: group vectors do not match the similarity matrix shape");
  }
  RetrievalMetrics m;
  m.queries = n_queries;
  if (n_queries == 0) return m;
  for (int64_t q = 0; q < n_queries; ++q) {
    const float* row = similarity + q * n_items;
    bool has_positive = false;
    float best = 0;
    for (int64_t j = 0; j < n_items; ++j) {
      if (item_group[j] != query_group[q]) continue;
      if (!has_positive || row[j] > best) best = row[j];
      has_positive = true;
    }
    if (!has_positive) {
      throw Error(ErrorKind::InvalidInput, "retrieval: query " + std::to_string(q) + " has no positive item");
    }
    int64_t greater = 0, tied_negatives = 0, tied_positives = 0;
    for (int64_t j = 0; j < n_items; ++j) {
      const bool positive = item_group[j] == query_group[q];
      if (row[j] > best) {
        ++greater;   // only negatives can score above the best positive
      } else if (row[j] == best) {
        ++(positive ? tied_positives : tied_negatives);
      }
    }
    const ExpectedRank r = expected_rank(greater, tied_negatives, tied_positives);
    m.r1 += r.hit_1;
    m.r10 += r.hit_10;
    m.r50 += r.hit_50;
    m.mrr += r.reciprocal_rank;
  }
  const double n = static_cast<double>(n_queries);
  m.r1 /= n;
  m.r10 /= n;
  m.r50 /= n;
  m.mrr /= n;
  return m;
}

RetrievalMetrics retrieval_metrics_strict(const float* similarity, int64_t n) {
  std::vector<int64_t> identity(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) identity[static_cast<size_t>(i)] = i;
  return retrieval_metrics(similarity, n, n, identity, identity);
}

ClassificationReport classification_report(const std::vector<int>& truth, const std::vector<int>& predicted,
                                           const std::vector<std::string>& labels) {
  if (truth.size() != predicted.size()) {
    throw Error(ErrorKind::InvalidInput, "classification: " + std::to_string(truth.size()) + " true labels but " +
                                             std::to_string(predicted.size()) + " predictions");
  }
  const size_t c = labels.size();
  auto check = [c](int k, const char* what) {
    if (k < 0 || static_cast<size_t>(k) >= c) {
      throw Error(ErrorKind::InvalidInput, std::string("classification: ") + what + " class index " +
                                               std::to_string(k) + " outside the " + std::to_string(c) + " labels");
    }
  };
  ClassificationReport r;
  r.labels = labels;
  r.n = static_cast<int64_t>(truth.size());
  r.confusion.assign(c * c, 0);
  int64_t correct = 0;
  for (size_t i = 0; i < truth.size(); ++i) {
    check(truth[i], "true");
    check(predicted[i], "predicted");
    ++r.confusion[static_cast<size_t>(truth[i]) * c + static_cast<size_t>(predicted[i])];
    if (truth[i] == predicted[i]) ++correct;
  }
  r.accuracy = r.n > 0 ? static_cast<double>(correct) / static_cast<double>(r.n) : 0.0;

  double f1_sum = 0;
  for (size_t k = 0; k < c; ++k) {
    ClassMetrics cm;
    cm.label = labels[k];
    for (size_t j = 0; j < c; ++j) {
      cm.support += r.confusion[k * c + j];
      cm.predicted += r.confusion[j * c + k];
    }
    const double tp = static_cast<double>(r.confusion[k * c + k]);
    cm.precision = cm.predicted > 0 ? tp / static_cast<double>(cm.predicted) : 0.0;
    cm.recall = cm.support > 0 ? tp / static_cast<double>(cm.support) : 0.0;
    cm.f1 = cm.precision + cm.recall > 0 ? 2 * cm.precision * cm.recall / (cm.precision + cm.recall) : 0.0;
    if (cm.support > 0) {
      f1_sum += cm.f1;
      ++r.classes_in_truth;
    }
    r.per_class.push_back(cm);
  }
  r.macro_f1 = r.classes_in_truth > 0 ? f1_sum / static_cast<double>(r.classes_in_truth) : 0.0;
  return r;
}

}  // namespace imu2clip
