#include "tagger/eval/product_eval.h"

#include <algorithm>
#include <cmath>

#include "common/error.h"
#include "tagger/eval/eval_windows.h"
#include "tagger/model/bundle.h"
#include "tagger/model/window_encoder.h"
#include "tagger/zeroshot/calibration.h"
#include "tagger/zeroshot/label_scores.h"

namespace imu2clip {
namespace {

// [begin, end) window ranges of each recording (windows are grouped by recording, in time order).
std::vector<std::pair<size_t, size_t>> recording_ranges(const LabelledWindows& w) {
  std::vector<std::pair<size_t, size_t>> out;
  for (size_t i = 0; i < w.size(); ++i) {
    if (out.empty() || w.recording[i] != w.recording[out.back().first]) out.push_back({i, i + 1});
    else out.back().second = i + 1;
  }
  return out;
}

// One recording's windows and raw score rows, as the segmenter takes them.
struct RecordingScores {
  std::vector<ScoredWindow> spans;
  std::vector<float> rows;
};

RecordingScores slice(const ProductScores& p, size_t begin, size_t end, int n_labels) {
  const auto b = static_cast<std::ptrdiff_t>(begin), e = static_cast<std::ptrdiff_t>(end),
             n = static_cast<std::ptrdiff_t>(n_labels);
  return {std::vector<ScoredWindow>(p.spans.begin() + b, p.spans.begin() + e),
          std::vector<float>(p.raw.begin() + b * n, p.raw.begin() + e * n)};
}

}  // namespace

ProductScores product_scores(const ModelBundle& bundle, const ProductEvalOptions& o) {
  if (bundle.label_map.empty())
    throw Error(ErrorKind::InvalidInput,
                "this model has no label map, so product mode cannot tell which of its labels a dataset label means; "
                "use a model trained with --label-map (e.g. the built-in default)",
                ErrorContext{"", 0, "--mode"});
  if (o.log) o.log("loading split '" + o.split + "' of " + o.dataset_dir);
  EvalDataOptions d;
  d.split = o.split;
  d.stride_s = bundle.window_s();   // the tagger's windows do not overlap
  d.cache_dir = o.cache_dir;
  d.keep_unlabelled = true;
  ProductScores p;
  LabelledWindows raw_windows = load_eval_windows(o.dataset_dir, bundle, d);
  p.windows = apply_label_map(raw_windows, bundle.label_map, /*keep_unmapped=*/true);
  // The map's activities are the bank's labels, but the bank may order them differently.
  const auto& bank = bundle.label_bank;
  std::vector<int> to_bank(p.windows.labels.size(), -1);
  for (size_t l = 0; l < p.windows.labels.size(); ++l) {
    const auto it = std::find(bank.labels.begin(), bank.labels.end(), p.windows.labels[l]);
    if (it == bank.labels.end())
      throw Error(ErrorKind::Corrupt, "activity '" + p.windows.labels[l] + "' of the label map is not in the label bank",
                  ErrorContext{"", 0, "label_map"});
    to_bank[l] = static_cast<int>(it - bank.labels.begin());
  }
  for (int& l : p.windows.label)
    if (l >= 0) l = to_bank[static_cast<size_t>(l)];
  p.windows.labels = bank.labels;

  auto encoder = make_window_encoder(bundle, o.threads);
  if (o.log) o.log("encoding " + std::to_string(p.windows.size()) + " windows");
  const std::vector<float> emb = encode_windows(*encoder, p.windows);
  p.raw = cosine_scores(emb.data(), static_cast<int64_t>(p.windows.size()), bank);
  p.spans.reserve(p.windows.size());
  const double len = bundle.window_s();
  for (size_t i = 0; i < p.windows.size(); ++i) p.spans.push_back({p.windows.start_s[i], p.windows.start_s[i] + len, true});
  const int n_labels = static_cast<int>(bank.size());
  p.smoothed.assign(p.raw.size(), 0.f);
  for (const auto& [b, e] : recording_ranges(p.windows)) {
    const RecordingScores r = slice(p, b, e, n_labels);
    const auto s = smooth_window_scores(r.spans, r.rows, n_labels, o.segmenter);
    std::copy(s.begin(), s.end(), p.smoothed.begin() + static_cast<std::ptrdiff_t>(b * n_labels));
  }
  return p;
}

std::vector<int> tagged_window_labels(const ProductScores& p, int n_labels, const SegmenterOptions& segmenter) {
  std::vector<int> out(p.windows.size(), kUnclearLabel);
  for (const auto& [b, e] : recording_ranges(p.windows)) {
    const RecordingScores r = slice(p, b, e, n_labels);
    const auto segs = segment_windows(r.spans, r.rows, n_labels, segmenter);
    // Each window takes the label of the segment that holds its midpoint.
    size_t s = 0;
    for (size_t i = b; i < e; ++i) {
      const double mid = (p.spans[i].start_s + p.spans[i].end_s) / 2;
      while (s < segs.size() && segs[s].end_s <= mid) ++s;
      if (s < segs.size() && segs[s].start_s <= mid) out[i] = segs[s].label;
    }
  }
  return out;
}

Calibration fit_product_calibration(const ModelBundle& bundle, const std::vector<std::string>& dataset_dirs,
                                    const ProductEvalOptions& options, double coverage) {
  const int n_labels = static_cast<int>(bundle.label_bank.size());
  std::vector<float> smoothed;
  std::vector<int> truth;
  std::vector<double> weights;
  nlohmann::json per_dataset = nlohmann::json::object();
  for (const auto& dir : dataset_dirs) {
    ProductEvalOptions o = options;
    o.dataset_dir = dir;
    const ProductScores p = product_scores(bundle, o);
    int64_t labelled = 0;
    for (int l : p.windows.label) labelled += l >= 0;
    if (labelled == 0) continue;
    for (size_t i = 0; i < p.windows.size(); ++i) {
      if (p.windows.label[i] < 0) continue;
      truth.push_back(p.windows.label[i]);
      weights.push_back(1.0 / static_cast<double>(labelled));
      smoothed.insert(smoothed.end(), p.smoothed.begin() + static_cast<std::ptrdiff_t>(i * n_labels),
                      p.smoothed.begin() + static_cast<std::ptrdiff_t>((i + 1) * n_labels));
    }
    per_dataset[p.windows.dataset] = labelled;
  }
  Calibration c;
  c.temperature = fit_temperature(smoothed, truth, n_labels, weights);
  c.min_confidence = confidence_threshold(smoothed, truth, n_labels, c.temperature, coverage, weights);
  c.fit = {{"split", options.split},
           {"windows", per_dataset},
           {"target_coverage", coverage},
           {"smooth_windows", options.segmenter.smooth_windows},
           {"weighting", "each dataset weighs the same"}};
  return c;
}

ProductEvalResult run_product_eval(const ModelBundle& bundle, const ProductEvalOptions& o) {
  const ProductScores p = product_scores(bundle, o);
  const int n_labels = static_cast<int>(bundle.label_bank.size());
  const SegmenterOptions with_rule =
      o.use_calibration ? calibrated(o.segmenter, bundle.calibration) : o.segmenter;
  SegmenterOptions without_rule = o.segmenter;
  without_rule.temperature = 0;
  const std::vector<int> tagged = tagged_window_labels(p, n_labels, with_rule);
  const std::vector<int> every = tagged_window_labels(p, n_labels, without_rule);

  ProductEvalResult r;
  r.dataset = p.windows.dataset;
  std::vector<std::string> labels = bundle.label_bank.labels;
  labels.push_back(kUnclearActivity);
  const int unclear = n_labels;
  std::vector<int> truth, predicted, predicted_all;
  std::vector<std::pair<double, bool>> confidence_right;
  // Confidence ranks the windows for accuracy at 80 % coverage; an uncalibrated model is ranked
  // at a temperature typical of trained models (the ranking barely depends on it).
  const double temperature = bundle.calibration.enabled() ? bundle.calibration.temperature : 0.05;
  for (size_t i = 0; i < p.windows.size(); ++i) {
    if (p.windows.label[i] < 0) continue;
    truth.push_back(p.windows.label[i]);
    predicted.push_back(tagged[i] == kUnclearLabel ? unclear : tagged[i]);
    predicted_all.push_back(every[i] == kUnclearLabel ? unclear : every[i]);
    const float* row = &p.smoothed[i * static_cast<size_t>(n_labels)];
    confidence_right.push_back({calibrated_confidence(row, n_labels, temperature), every[i] == p.windows.label[i]});
  }
  if (truth.empty())
    throw Error(ErrorKind::InvalidInput,
                "split '" + o.split + "' of " + o.dataset_dir + " has no window whose label maps to an activity",
                ErrorContext{o.dataset_dir, 0, "--split"});
  r.report = classification_report(truth, predicted, labels);
  r.report_all_windows = classification_report(truth, predicted_all, labels);
  r.scored = static_cast<int64_t>(truth.size());
  int64_t right = 0;
  for (size_t i = 0; i < truth.size(); ++i) {
    if (predicted[i] == unclear) continue;
    ++r.covered;
    right += predicted[i] == truth[i];
  }
  r.coverage = static_cast<double>(r.covered) / static_cast<double>(r.scored);
  r.covered_accuracy = r.covered ? static_cast<double>(right) / static_cast<double>(r.covered) : 0;
  std::stable_sort(confidence_right.begin(), confidence_right.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  const size_t top = std::max<size_t>(1, static_cast<size_t>(std::ceil(0.8 * static_cast<double>(confidence_right.size()))));
  int64_t top_right = 0;
  for (size_t i = 0; i < top; ++i) top_right += confidence_right[i].second;
  r.accuracy_at_80 = static_cast<double>(top_right) / static_cast<double>(top);
  r.details = {{"windows", p.windows.size()},
               {"window_s", bundle.window_s()},
               {"stride_s", bundle.window_s()},
               {"smooth_windows", o.segmenter.smooth_windows},
               {"min_run_windows", o.segmenter.min_run_windows},
               {"calibration", o.use_calibration && bundle.calibration.enabled() ? bundle.calibration.to_json()
                                                                                 : nlohmann::json(nullptr)},
               {"vocabulary_size", n_labels}};
  return r;
}

}  // namespace imu2clip
