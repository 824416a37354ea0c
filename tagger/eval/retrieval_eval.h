#pragma once
// Cross-modal retrieval over a whole evaluation pool (paper Table 1): every window's IMU
// embedding against the text embedding of every window's label phrase, both directions.
// Torch-free.
#include <cstdint>
#include <string>
#include <vector>

#include "tagger/dataset/window_dataset.h"
#include "tagger/eval/metrics.h"

namespace imu2clip {

struct ModelBundle;

struct RetrievalDirection {
  RetrievalMetrics strict;      // the paper's protocol: the positive of query i is item i only
  RetrievalMetrics same_text;   // any item whose label phrase equals the query's counts as a hit
};

struct RetrievalReport {
  int64_t n = 0;                // windows in the pool (n x n similarities)
  int64_t distinct_texts = 0;   // distinct label phrases among them
  RetrievalDirection imu_to_text, text_to_imu;
};

// window_embeddings: windows.size() x dim unit rows (from encode_windows). Texts are the
// windows' label phrases rendered through the bundle's prompt templates and text tower.
// Never materialises the n x n matrix: queries are scored in blocks.
RetrievalReport evaluate_retrieval(const ModelBundle& bundle, const LabelledWindows& windows,
                                   const std::vector<float>& window_embeddings);

}  // namespace imu2clip
