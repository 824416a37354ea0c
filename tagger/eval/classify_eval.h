#pragma once
// `imu2clip eval classify`: zero-shot, linear-probe and fine-tune activity classification of
// a dataset split (paper Tables 2 and 3). Torch-free header.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tagger/eval/linear_eval.h"
#include "tagger/eval/metrics.h"

namespace imu2clip {

struct ModelBundle;

enum class ClassifyMode { ZeroShot, Probe, Finetune, Product };
// "zeroshot" | "probe" | "finetune" | "product" (what the tagger logs: see product_eval.h)
ClassifyMode parse_classify_mode(const std::string& name);
const char* to_string(ClassifyMode mode);

struct ClassifyOptions {
  ClassifyMode mode = ClassifyMode::ZeroShot;
  std::string dataset_dir;
  std::string split = "test";          // evaluated split; "all" = every recording
  std::vector<std::string> labels;     // candidate phrases; empty = the dataset's own. Windows of other labels are left out.
  bool vanilla = false;                // randomly initialised encoder of the same architecture
  uint64_t seed = 1;
  int epochs = 0, batch = 64, threads = 0;
  double lr = 1e-3, encoder_lr = 0;
  double stride_s = 0;                 // evaluated windows; <= 0: the window length (no overlap)
  double train_stride_s = 0;           // train/val windows; <= 0: half the window length
  size_t max_windows = 0;              // > 0: at most this many evaluated windows (spread over recordings)
  std::string cache_dir;
  bool no_unclear = false;             // product mode: label every window (ignore the calibration)
  int smooth_windows = 0;              // product mode: > 0 overrides the tagger's smoothing width
  int min_run_windows = 0;             // product mode: > 0 overrides the tagger's shortest run
  std::function<void(const std::string&)> log;   // progress lines
};

struct ClassifyResult {
  ClassificationReport report;
  std::string dataset;
  nlohmann::json details = nlohmann::json::object();   // mode-specific: templates, training epochs, ...
};

ClassifyResult run_classify(const ModelBundle& bundle, const ClassifyOptions& options);

}  // namespace imu2clip
