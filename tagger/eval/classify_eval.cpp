#include "tagger/eval/classify_eval.h"

#include "common/error.h"
#include "tagger/eval/eval_windows.h"
#include "tagger/eval/label_embeddings.h"
#include "tagger/eval/product_eval.h"
#include "tagger/model/bundle.h"
#include "tagger/model/window_encoder.h"
#include "tagger/zeroshot/label_scores.h"

namespace imu2clip {
namespace {

LabelledWindows load_split(const ModelBundle& bundle, const ClassifyOptions& o, const std::string& split,
                           double stride_s, bool allow_empty) {
  if (o.log) o.log("loading split '" + split + "' of " + o.dataset_dir);
  EvalDataOptions d;
  d.split = split;
  d.stride_s = stride_s;
  d.cache_dir = o.cache_dir;
  d.allow_empty = allow_empty;
  LabelledWindows w = load_eval_windows(o.dataset_dir, bundle, d);
  if (!o.labels.empty()) w = filter_labels(w, o.labels);
  return w;
}

std::vector<int> zero_shot(const ModelBundle& bundle, const LabelledWindows& windows, const ClassifyOptions& o,
                           nlohmann::json& details) {
  auto encoder = o.vanilla ? make_random_window_encoder(bundle.encoder, o.seed, o.threads)
                           : make_window_encoder(bundle, o.threads);
  if (o.log) o.log("encoding " + std::to_string(windows.size()) + " windows");
  const std::vector<float> embeddings = encode_windows(*encoder, windows);
  const LabelBank bank = embed_label_phrases(bundle, windows.labels);
  const std::vector<float> scores = cosine_scores(embeddings.data(), static_cast<int64_t>(windows.size()), bank);
  details["templates"] = bank.templates;
  details["text_tower"] = bundle.text_tower_id;
  return argmax_rows(scores, windows.size(), bank.size());
}

std::vector<int> linear(const ModelBundle& bundle, const LabelledWindows& windows, const ClassifyOptions& o,
                        nlohmann::json& details) {
  const double half_window = bundle.window_s() / 2;
  const double train_stride = o.train_stride_s > 0 ? o.train_stride_s : half_window;
  LabelledWindows train = filter_labels(load_split(bundle, o, "train", train_stride, true), windows.labels);
  LabelledWindows val = filter_labels(load_split(bundle, o, "val", train_stride, true), windows.labels);
  if (o.split == "all" || o.split == "train" || o.split == "val") {
    if (o.log) o.log("warning: the evaluated split overlaps the train/val data; the scores are optimistic");
  }
  LinearEvalOptions l;
  l.training = o.mode == ClassifyMode::Finetune ? HeadTraining::Finetune : HeadTraining::Probe;
  l.vanilla = o.vanilla;
  l.epochs = o.epochs;
  l.batch = o.batch;
  l.lr = o.lr;
  l.encoder_lr = o.encoder_lr;
  l.seed = o.seed;
  l.threads = o.threads;
  l.log = o.log;
  const LinearEvalResult r = train_linear_eval(bundle, train, val, windows, windows.labels, l);
  nlohmann::json epochs = nlohmann::json::array();
  for (const EpochLog& e : r.epochs) {
    epochs.push_back({{"epoch", e.epoch}, {"train_loss", e.train_loss}, {"train_accuracy", e.train_accuracy},
                      {"val_accuracy", e.val_accuracy}, {"val_macro_f1", e.val_macro_f1}, {"seconds", e.seconds}});
  }
  details["training"] = {{"train_windows", train.size()}, {"val_windows", val.size()},
                         {"train_stride_s", train_stride}, {"epochs", r.epochs_run},
                         {"best_epoch", r.best_epoch}, {"selected_by", r.selected_by},
                         {"batch", o.batch}, {"lr", r.lr}, {"encoder_lr", r.encoder_lr},
                         {"optimizer", "adam"}, {"seed", o.seed}, {"history", epochs}};
  return r.predicted;
}

}  // namespace

ClassifyMode parse_classify_mode(const std::string& name) {
  if (name == "zeroshot") return ClassifyMode::ZeroShot;
  if (name == "probe") return ClassifyMode::Probe;
  if (name == "finetune") return ClassifyMode::Finetune;
  if (name == "product") return ClassifyMode::Product;
  throw Error(ErrorKind::InvalidInput, "unknown mode '" + name + "'; use zeroshot, probe, finetune or product",
              ErrorContext{"", 0, "--mode"});
}

const char* to_string(ClassifyMode mode) {
  switch (mode) {
    case ClassifyMode::ZeroShot: return "zeroshot";
    case ClassifyMode::Probe: return "probe";
    case ClassifyMode::Finetune: return "finetune";
    case ClassifyMode::Product: return "product";
  }
  return "?";
}

ClassifyResult run_product(const ModelBundle& bundle, const ClassifyOptions& o) {
  if (!o.labels.empty())
    throw Error(ErrorKind::InvalidInput, "product mode scores the model's own vocabulary; drop --labels",
                ErrorContext{"", 0, "--labels"});
  if (o.vanilla)
    throw Error(ErrorKind::InvalidInput, "product mode evaluates the model as shipped; drop --vanilla",
                ErrorContext{"", 0, "--vanilla"});
  ProductEvalOptions p;
  p.dataset_dir = o.dataset_dir;
  p.split = o.split;
  p.cache_dir = o.cache_dir;
  p.threads = o.threads;
  p.use_calibration = !o.no_unclear;
  if (o.smooth_windows > 0) p.segmenter.smooth_windows = o.smooth_windows;
  if (o.min_run_windows > 0) p.segmenter.min_run_windows = o.min_run_windows;
  p.log = o.log;
  const ProductEvalResult r = run_product_eval(bundle, p);
  ClassifyResult result;
  result.dataset = r.dataset;
  result.report = r.report;
  result.details = r.details;
  result.details["scored_windows"] = r.scored;
  result.details["covered_windows"] = r.covered;
  result.details["coverage"] = r.coverage;
  result.details["covered_accuracy"] = r.covered_accuracy;
  result.details["accuracy_at_80_percent_coverage"] = r.accuracy_at_80;
  result.details["all_windows"] = {{"accuracy", r.report_all_windows.accuracy},
                                   {"macro_f1", r.report_all_windows.macro_f1}};
  return result;
}

ClassifyResult run_classify(const ModelBundle& bundle, const ClassifyOptions& options) {
  if (options.mode == ClassifyMode::Product) return run_product(bundle, options);
  LabelledWindows windows = load_split(bundle, options, options.split, options.stride_s, false);
  if (windows.size() == 0) {
    throw Error(ErrorKind::InvalidInput,
                "none of the " + std::to_string(options.labels.size()) + " given label phrases labels a window of split '" +
                    options.split + "'; check the phrases against the dataset's labels.csv",
                ErrorContext{options.dataset_dir, 0, "--labels"});
  }
  if (options.max_windows > 0) windows = take_windows(windows, options.max_windows);

  ClassifyResult result;
  result.dataset = windows.dataset;
  result.details["window_s"] = bundle.window_s();
  result.details["rate_hz"] = windows.rate_hz;
  result.details["stride_s"] = options.stride_s > 0 ? options.stride_s : bundle.window_s();
  result.details["vanilla"] = options.vanilla;
  const std::vector<int> predicted = options.mode == ClassifyMode::ZeroShot
                                         ? zero_shot(bundle, windows, options, result.details)
                                         : linear(bundle, windows, options, result.details);
  result.report = classification_report(windows.label, predicted, windows.labels);
  return result;
}

}  // namespace imu2clip
