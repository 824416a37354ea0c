#pragma once
// Evaluation metrics, torch-free: retrieval (R@k, MRR) from a similarity matrix and
// classification (accuracy, macro-F1, per-class precision/recall/F1, confusion matrix).
#include <cstdint>
#include <string>
#include <vector>

namespace imu2clip {

// --- retrieval ---

struct RetrievalMetrics {
  int64_t queries = 0;
  double r1 = 0, r10 = 0, r50 = 0;   // fraction of queries whose (first) positive ranks in the top k
  double mrr = 0;                     // mean reciprocal rank of the (first) positive
};

// similarity: n_queries x n_items, row-major. The positives of query q are the items j with
// item_group[j] == query_group[q] (at least one must exist, else Error(InvalidInput)); a
// query's rank is the rank of its best-ranked positive.
// Ties are broken uniformly at random, IN EXPECTATION: R@k is the probability that a positive
// lands in the top k and MRR the expected reciprocal rank, so equal scores (e.g. many windows
// sharing one label phrase, or a collapsed model) neither help nor hurt, and results are
// deterministic.
RetrievalMetrics retrieval_metrics(const float* similarity, int64_t n_queries, int64_t n_items,
                                   const std::vector<int64_t>& query_group,
                                   const std::vector<int64_t>& item_group);

// The paper's (IMU2CLIP Table 1) strict protocol on an n x n matrix: query i's only positive
// is item i.
RetrievalMetrics retrieval_metrics_strict(const float* similarity, int64_t n);

// R@k and reciprocal rank of one query whose best positive scores `positive` when
// `greater` negatives score strictly more, `tied_negatives` score the same and
// `tied_positives` (>= 1, counting the best one) positives share the best score. Exposed for tests.
struct ExpectedRank {
  double hit_1 = 0, hit_10 = 0, hit_50 = 0, reciprocal_rank = 0;
};
ExpectedRank expected_rank(int64_t greater, int64_t tied_negatives, int64_t tied_positives);

// --- classification ---

struct ClassMetrics {
  std::string label;
  int64_t support = 0;     // windows whose true label is this class
  int64_t predicted = 0;   // windows predicted as this class
  double precision = 0;    // 0 when never predicted
  double recall = 0;       // 0 when absent from the truth
  double f1 = 0;           // 0 when precision + recall == 0
};

struct ClassificationReport {
  std::vector<std::string> labels;
  int64_t n = 0;
  double accuracy = 0;
  // Unweighted mean F1 over the classes PRESENT IN THE TRUTH (support > 0): a candidate label
  // that never occurs cannot be recalled, so it must not drag the mean down; wrong predictions
  // of it still lower the recall of the true classes.
  double macro_f1 = 0;
  int64_t classes_in_truth = 0;
  std::vector<ClassMetrics> per_class;   // in `labels` order
  std::vector<int64_t> confusion;        // labels x labels, row = true class, column = predicted
  int64_t confusion_at(size_t truth, size_t predicted) const { return confusion[truth * labels.size() + predicted]; }
};

// truth and predicted: class indices into `labels`, same length; throws Error(InvalidInput)
// for mismatched lengths or an index out of range.
ClassificationReport classification_report(const std::vector<int>& truth, const std::vector<int>& predicted,
                                           const std::vector<std::string>& labels);

}  // namespace imu2clip
