#include "tagger/eval/retrieval_eval.h"

#include <algorithm>

#include "common/error.h"
#include "tagger/eval/label_embeddings.h"
#include "tagger/model/bundle.h"

namespace imu2clip {
namespace {

// Accumulates retrieval_metrics over blocks of queries (each block weighted by its size).
class BlockedRetrieval {
 public:
  void add(const RetrievalMetrics& m) {
    total_.queries += m.queries;
    const double w = static_cast<double>(m.queries);
    total_.r1 += m.r1 * w;
    total_.r10 += m.r10 * w;
    total_.r50 += m.r50 * w;
    total_.mrr += m.mrr * w;
  }
  RetrievalMetrics result() const {
    RetrievalMetrics m = total_;
    if (m.queries > 0) {
      const double n = static_cast<double>(m.queries);
      m.r1 /= n;
      m.r10 /= n;
      m.r50 /= n;
      m.mrr /= n;
    }
    return m;
  }

 private:
  RetrievalMetrics total_;
};

}  // namespace

RetrievalReport evaluate_retrieval(const ModelBundle& bundle, const LabelledWindows& windows,
                                   const std::vector<float>& window_embeddings) {
  const size_t n = windows.size();
  if (n == 0) throw Error(ErrorKind::InvalidInput, "retrieval needs at least one labelled window");
  for (int l : windows.label) {
    if (l < 0 || static_cast<size_t>(l) >= windows.labels.size()) {
      throw Error(ErrorKind::InvalidInput, "retrieval needs a label phrase for every window (found an unlabelled one)");
    }
  }
  // One embedding per distinct phrase: windows sharing a phrase share its text embedding
  // exactly, so their similarities tie exactly (the metrics break ties fairly).
  const LabelBank texts = embed_label_phrases(bundle, windows.labels);
  const size_t dim = static_cast<size_t>(texts.dim);
  if (window_embeddings.size() != n * dim) {
    throw Error(ErrorKind::InvalidInput, "window embeddings have " + std::to_string(window_embeddings.size()) +
                                             " values, expected " + std::to_string(n) + " x " + std::to_string(dim));
  }
  const size_t n_texts = texts.size();
  // imu_text[i][t] = cosine(window i, phrase t).
  std::vector<float> imu_text(n * n_texts);
  for (size_t i = 0; i < n; ++i) {
    const float* e = window_embeddings.data() + i * dim;
    for (size_t t = 0; t < n_texts; ++t) {
      const float* r = texts.row(t);
      double dot = 0;
      for (size_t k = 0; k < dim; ++k) dot += static_cast<double>(e[k]) * r[k];
      imu_text[i * n_texts + t] = static_cast<float>(dot);
    }
  }

  std::vector<int64_t> identity(n), phrase(n);
  for (size_t i = 0; i < n; ++i) {
    identity[i] = static_cast<int64_t>(i);
    phrase[i] = windows.label[i];
  }
  constexpr size_t kBlock = 256;
  BlockedRetrieval i2t_strict, i2t_same, t2i_strict, t2i_same;
  std::vector<float> block;
  for (size_t q0 = 0; q0 < n; q0 += kBlock) {
    const size_t b = std::min(kBlock, n - q0);
    const std::vector<int64_t> q_identity(identity.begin() + q0, identity.begin() + q0 + b);
    const std::vector<int64_t> q_phrase(phrase.begin() + q0, phrase.begin() + q0 + b);
    block.resize(b * n);
    // IMU -> text: query window q, item j = the text of window j.
    for (size_t q = 0; q < b; ++q) {
      for (size_t j = 0; j < n; ++j) block[q * n + j] = imu_text[(q0 + q) * n_texts + windows.label[j]];
    }
    i2t_strict.add(retrieval_metrics(block.data(), b, n, q_identity, identity));
    i2t_same.add(retrieval_metrics(block.data(), b, n, q_phrase, phrase));
    // text -> IMU: query = the text of window q, item j = window j.
    for (size_t q = 0; q < b; ++q) {
      const size_t t = static_cast<size_t>(windows.label[q0 + q]);
      for (size_t j = 0; j < n; ++j) block[q * n + j] = imu_text[j * n_texts + t];
    }
    t2i_strict.add(retrieval_metrics(block.data(), b, n, q_identity, identity));
    t2i_same.add(retrieval_metrics(block.data(), b, n, q_phrase, phrase));
  }
  RetrievalReport report;
  report.n = static_cast<int64_t>(n);
  std::vector<bool> used(n_texts, false);
  for (int l : windows.label) used[static_cast<size_t>(l)] = true;
  report.distinct_texts = std::count(used.begin(), used.end(), true);
  report.imu_to_text = {i2t_strict.result(), i2t_same.result()};
  report.text_to_imu = {t2i_strict.result(), t2i_same.result()};
  return report;
}

}  // namespace imu2clip
