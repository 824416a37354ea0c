#pragma once
// Evaluation results as JSON (one object per run, for scripts) and as text tables (terminal).
// Torch-free.
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "tagger/eval/metrics.h"
#include "tagger/eval/retrieval_eval.h"

namespace imu2clip {

nlohmann::json to_json(const RetrievalMetrics& m);   // {"queries", "r1", "r10", "r50", "mrr"}
nlohmann::json to_json(const RetrievalReport& r);
// {"accuracy", "macro_f1", "n", "labels", "per_class": [{label, support, predicted, precision,
// recall, f1}], "confusion": [[...]] (row = true label, column = predicted), "classes_in_truth"}
nlohmann::json to_json(const ClassificationReport& r);

std::string format_retrieval_table(const RetrievalReport& r);
// Per-class table, then the confusion matrix with numbered columns.
std::string format_classification_table(const ClassificationReport& r);

}  // namespace imu2clip
