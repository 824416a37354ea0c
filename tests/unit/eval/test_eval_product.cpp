// Product-mode evaluation and calibration on a tiny synthetic dataset: the scores are those of
// the tagger's own decision (vocabulary, label map, smoothing, "unclear motion").
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "common/error.h"
#include "tagger/eval/classify_eval.h"
#include "tagger/eval/eval_windows.h"
#include "tagger/eval/product_eval.h"
#include "tagger/model/window_encoder.h"
#include "tagger/zeroshot/calibration.h"
#include "tests/support/test_paths.h"
#include "tests/unit/eval/tiny_dataset.h"

using namespace imu2clip;
using namespace imu2clip::test;

namespace {

// A tiny bundle whose label bank is {"sitting", "shaking", "walking"}, with the first two rows
// set to the mean embedding of the train windows of each activity, so the untrained encoder's
// zero-shot decision is the true one; the map sends the dataset's labels to those activities.
ModelBundle mapped_bundle(const std::string& data, const std::string& shaking_activity) {
  ModelBundle b = make_tiny_bundle();
  b.label_bank = LabelBank{};
  b.label_bank.labels = {"sitting", "shaking", "walking"};
  b.label_bank.templates = {"{label}"};
  EvalDataOptions d;
  d.split = "train";
  const LabelledWindows w = load_eval_windows(data, b, d);
  auto encoder = make_window_encoder(b);
  const std::vector<float> emb = encode_windows(*encoder, w);
  const int dim = encoder->dim();
  b.label_bank.dim = dim;
  b.label_bank.embeddings.assign(3 * static_cast<size_t>(dim), 0.f);
  for (size_t i = 0; i < w.size(); ++i) {
    const int row = w.labels[static_cast<size_t>(w.label[i])] == "sitting still" ? 0 : 1;
    for (int k = 0; k < dim; ++k) b.label_bank.embeddings[row * dim + k] += emb[i * dim + k];
  }
  b.label_bank.embeddings[2 * dim] = 1.f;   // "walking": an unrelated direction
  for (int row = 0; row < 2; ++row) {
    double n = 0;
    for (int k = 0; k < dim; ++k) n += b.label_bank.embeddings[row * dim + k] * b.label_bank.embeddings[row * dim + k];
    for (int k = 0; k < dim; ++k) b.label_bank.embeddings[row * dim + k] /= static_cast<float>(std::sqrt(n));
  }
  b.label_map.activities = b.label_bank.labels;
  b.label_map.entries[{"tiny", "sitting still"}] = "sitting";
  b.label_map.entries[{"tiny", "shaking"}] = shaking_activity;
  return b;
}

}  // namespace

TEST_CASE("product mode scores what the tagger logs, with the model's vocabulary and label map", "[eval]") {
  const std::string data = make_temp_dir("eval-product") + "/tiny";
  write_tiny_dataset(data);
  const ModelBundle b = mapped_bundle(data, "shaking");
  ProductEvalOptions o;
  o.dataset_dir = data;
  const ProductEvalResult r = run_product_eval(b, o);
  CHECK(r.dataset == "tiny");
  // Non-overlapping 2 s windows of the two test recordings that carry a mapped activity.
  CHECK(r.scored == 2 * kTinyLabelledWindowsPerRecording);
  CHECK(r.report.labels == std::vector<std::string>{"sitting", "shaking", "walking", "unclear motion"});
  CHECK(r.report.accuracy > 0.9);
  CHECK(r.report.classes_in_truth == 2);   // "walking" and "unclear motion" never count in the mean
  CHECK(r.coverage == 1.0);                // no calibration: every window gets a word
  CHECK(r.covered_accuracy == r.report.accuracy);

  // A label that maps to nothing is not scored; the windows still feed the smoothing.
  const ProductEvalResult only_sitting = run_product_eval(mapped_bundle(data, ""), o);
  CHECK(only_sitting.scored == kTinyLabelledWindowsPerRecording);

  // Through run_classify (the CLI's path) the same report comes back with the coverage.
  ClassifyOptions c;
  c.mode = ClassifyMode::Product;
  c.dataset_dir = data;
  const ClassifyResult cr = run_classify(b, c);
  CHECK(cr.report.accuracy == r.report.accuracy);
  CHECK(cr.details.at("coverage") == 1.0);
  c.labels = {"sitting"};
  CHECK_THROWS_WITH(run_classify(b, c), Catch::Contains("drop --labels"));

  // A model without a label map cannot be scored in product mode, and says why.
  CHECK_THROWS_WITH(run_product_eval(make_tiny_bundle(), o), Catch::Contains("no label map"));
}

TEST_CASE("calibration fitted on val turns the least confident windows into unclear motion", "[eval]") {
  const std::string data = make_temp_dir("eval-calibrate") + "/tiny";
  write_tiny_dataset(data);
  ModelBundle b = mapped_bundle(data, "shaking");
  ProductEvalOptions o;
  o.split = "val";
  b.calibration = fit_product_calibration(b, {data}, o, 0.5);
  CHECK(b.calibration.enabled());
  CHECK(b.calibration.temperature > 0);
  CHECK(b.calibration.temperature <= 1);
  CHECK(b.calibration.min_confidence > 0);
  CHECK(b.calibration.fit.at("split") == "val");
  CHECK(b.calibration.fit.at("windows").at("tiny") == kTinyLabelledWindowsPerRecording);

  // The tiny data is separated perfectly, so the fitted temperature is at its floor and every
  // window is sure. A hot temperature with the threshold at the median test confidence must
  // turn the least sure windows into "unclear motion" and keep the rest.
  o.dataset_dir = data;
  o.split = "test";
  b.calibration.temperature = 1.0;
  const ProductScores p = product_scores(b, o);
  std::vector<double> conf;
  for (size_t i = 0; i < p.windows.size(); ++i)
    if (p.windows.label[i] >= 0) conf.push_back(calibrated_confidence(&p.smoothed[i * 3], 3, 1.0));
  std::sort(conf.begin(), conf.end());
  b.calibration.min_confidence = conf[conf.size() / 2];
  const ProductEvalResult r = run_product_eval(b, o);
  CHECK(r.coverage > 0.0);
  CHECK(r.coverage < 1.0);                               // some windows are now "unclear motion"
  CHECK(r.covered_accuracy >= r.report.accuracy);        // the words left are no less right
  CHECK(r.report_all_windows.accuracy >= r.report.accuracy);
  o.use_calibration = false;
  CHECK(run_product_eval(b, o).coverage == 1.0);

  // Calibration and label map travel in the bundle file.
  const std::string path = make_temp_dir("eval-calibrate-bundle") + "/m.safetensors";
  save_bundle(path, b);
  const ModelBundle back = load_bundle(path);
  CHECK(back.calibration.temperature == b.calibration.temperature);
  CHECK(back.calibration.min_confidence == b.calibration.min_confidence);
  CHECK(back.label_map.entries == b.label_map.entries);
  CHECK(back.label_text(kUnclearLabel) == "unclear motion");
  CHECK(back.label_text(1) == "shaking");
}
