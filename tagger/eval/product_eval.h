#pragma once
// Product-mode evaluation: scores exactly what the tagger writes into a user's log. Windows
// are cut as the tagger cuts them (non-overlapping, every window of a recording, labelled or
// not), ranked against the bundle's whole label bank (the everyday vocabulary, not the
// dataset's own phrases), smoothed and segmented by the tagger's segmenter with the bundle's
// calibration ("unclear motion" below its confidence threshold), then compared with the
// dataset's labels mapped through the bundle's label map. Torch-free header.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tagger/dataset/window_dataset.h"
#include "tagger/eval/metrics.h"
#include "tagger/zeroshot/segmenter.h"

namespace imu2clip {

struct ModelBundle;

struct ProductEvalOptions {
  std::string dataset_dir;
  std::string split = "test";      // manifest split; "all" = every recording
  SegmenterOptions segmenter;      // the tagger's defaults; the bundle's calibration is applied on top
  bool use_calibration = true;     // false: every window gets its best label (no "unclear motion")
  std::string cache_dir;
  int threads = 0;
  std::function<void(const std::string&)> log;
};

// Windows of one split as the tagger sees them, with their smoothed scores against the bundle's
// label bank: the input of both evaluation and calibration fitting.
struct ProductScores {
  LabelledWindows windows;          // labels = the bundle's vocabulary; -1 = unlabelled or mapped to nothing
  std::vector<ScoredWindow> spans;  // per window
  std::vector<float> raw;           // windows x labels cosine scores
  std::vector<float> smoothed;      // the segmenter's moving average of `raw`
};

ProductScores product_scores(const ModelBundle& bundle, const ProductEvalOptions& options);

struct ProductEvalResult {
  std::string dataset;
  // Labels: the vocabulary, then "unclear motion" (never a true class, so it only lowers recall).
  ClassificationReport report;
  int64_t scored = 0;               // windows with a mapped true activity
  int64_t covered = 0;              // of those, windows the tagger did not call unclear
  double coverage = 0;              // covered / scored
  double covered_accuracy = 0;      // accuracy over the covered windows (precision at this coverage)
  // The same windows with every window labelled (no confidence rule).
  ClassificationReport report_all_windows;
  // Accuracy over the 80 % most confident windows (calibrated confidence of the smoothed scores).
  double accuracy_at_80 = 0;
  nlohmann::json details = nlohmann::json::object();
};

// Throws Error(InvalidInput) when the bundle has no label map or the map lacks the dataset.
ProductEvalResult run_product_eval(const ModelBundle& bundle, const ProductEvalOptions& options);

// Fits the bundle's confidence calibration on the given datasets' split (normally "val"): the
// temperature that best explains the true activities under softmax(smoothed scores / T), and the
// threshold that keeps `coverage` of the windows. Each dataset weighs the same, so a large one
// does not set the threshold for all. Returns the calibration; the caller stores it.
Calibration fit_product_calibration(const ModelBundle& bundle, const std::vector<std::string>& dataset_dirs,
                                    const ProductEvalOptions& options, double coverage);

// Per-window labels the tagger would log (label-bank index or kUnclearLabel) from product scores.
std::vector<int> tagged_window_labels(const ProductScores& scores, int n_labels, const SegmenterOptions& segmenter);

}  // namespace imu2clip
