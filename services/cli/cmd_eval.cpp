// imu2clip eval: retrieval (paper Table 1) and activity classification (zero-shot, linear
// probe, fine-tune; paper Tables 2 and 3) of a model bundle on a canonical dataset folder.
#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>

#include "common/error.h"
#include "services/cli/commands.h"
#include "services/cli/model_resolver.h"
#include "tagger/eval/audio_classify.h"
#include "tagger/eval/classify_eval.h"
#include "tagger/eval/eval_windows.h"
#include "tagger/eval/report_format.h"
#include "tagger/eval/retrieval_eval.h"
#include "tagger/eval/video_retrieval.h"
#include "tagger/model/window_encoder.h"

namespace imu2clip::cli {
namespace {

void progress_line(const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); }

// stdout carries only the report (one JSON object with --json): send log messages, such as
// the untrained-model warning, to stderr.
void log_to_stderr() {
  auto logger = spdlog::stderr_color_mt("eval");
  logger->set_level(spdlog::default_logger()->level());
  logger->set_pattern("%^%l%$: %v");
  spdlog::set_default_logger(logger);
}

struct EvalArgs {
  std::string model, data, split = "test", mode = "zeroshot", labels_file, cache_dir, modality = "imu";
  std::string ego4d, video_emb;
  double max_video_distance_s = 1.0;
  std::vector<int> val_folds;
  bool json = false, vanilla = false, no_unclear = false;
  int smooth = 0, min_run = 0;
  size_t max_windows = 0;
  int epochs = 0, batch = 64, threads = 0;
  uint64_t seed = 1;
  double lr = 1e-3, encoder_lr = 0, stride = 0;
};

int run_retrieval(const EvalArgs& a) {
  ResolvedModel m = resolve_model(a.model);
  const ModelBundle& bundle = m.bundle;
  EvalDataOptions d;
  d.split = a.split;
  d.stride_s = a.stride;
  d.cache_dir = a.cache_dir;
  progress_line("loading split '" + a.split + "' of " + a.data);
  LabelledWindows windows = load_eval_windows(a.data, bundle, d);
  if (a.max_windows > 0) windows = take_windows(windows, a.max_windows);
  auto encoder = make_window_encoder(bundle, a.threads);
  progress_line("encoding " + std::to_string(windows.size()) + " windows");
  const std::vector<float> embeddings = encode_windows(*encoder, windows);
  const RetrievalReport report = evaluate_retrieval(bundle, windows, embeddings);

  if (a.json) {
    nlohmann::json j = to_json(report);
    j["model_id"] = bundle.model_id;
    j["model_origin"] = m.origin;
    j["dataset"] = windows.dataset;
    j["split"] = a.split;
    j["window_s"] = bundle.window_s();
    j["protocol"] = {{"strict", "paper: query i's only positive is item i (window i's own label text)"},
                     {"same_text", "any item with the same label phrase is a positive"},
                     {"ties", "broken uniformly at random, in expectation"},
                     {"pool", "the whole split at once (n x n cosine similarities)"}};
    j["video"] = {{"skipped", "the dataset has no video embeddings (IMU<->video: imu2clip eval video)"}};
    std::printf("%s\n", j.dump().c_str());
  } else {
    std::printf("model %s (%s) on %s/%s\n", bundle.model_id.c_str(), m.origin.c_str(), windows.dataset.c_str(),
                a.split.c_str());
    std::printf("%s", format_retrieval_table(report).c_str());
    std::printf("IMU<->video: skipped (the dataset has no video embeddings; see imu2clip eval video)\n");
  }
  return 0;
}

// IMU<->video retrieval (paper Table 2) on Ego4D narration windows and `embed-video`'s frame embeddings.
int run_video(const EvalArgs& a) {
  ResolvedModel m = resolve_model(a.model);
  const ModelBundle& bundle = m.bundle;
  NarrationWindowOptions no;
  no.rate_hz = bundle.encoder.sample_rate_hz;
  no.window_s = bundle.window_s();
  no.max_windows = a.max_windows;
  progress_line("loading narration windows of " + a.ego4d);
  const NarrationWindows windows = load_narration_windows(a.ego4d, no);
  const VideoEmbeddings video = VideoEmbeddings::load(a.video_emb);
  auto encoder = make_window_encoder(bundle, a.threads);
  const VideoRetrievalReport r = evaluate_video_retrieval(*encoder, windows, video, a.max_video_distance_s);
  auto metrics = [](const RetrievalMetrics& x) {
    return nlohmann::json{{"queries", x.queries}, {"r1", x.r1}, {"r10", x.r10}, {"r50", x.r50}, {"mrr", x.mrr}};
  };
  if (a.json) {
    const nlohmann::json j = {{"model_id", bundle.model_id}, {"model_origin", m.origin},
                              {"pairs", r.n}, {"narration_windows", r.windows}, {"videos", r.videos},
                              {"imu_to_video", metrics(r.imu_to_video)}, {"video_to_imu", metrics(r.video_to_imu)},
                              {"protocol", "paper (strict): pair i's only positive is pair i; the pool is every "
                                           "narration window with a frame within max_distance_s"},
                              {"max_distance_s", a.max_video_distance_s}};
    std::printf("%s\n", j.dump().c_str());
  } else {
    std::printf("model %s (%s): %lld narration windows with a frame (of %lld) from %lld videos\n",
                bundle.model_id.c_str(), m.origin.c_str(), static_cast<long long>(r.n),
                static_cast<long long>(r.windows), static_cast<long long>(r.videos));
    for (const auto& [name, x] : {std::pair<const char*, RetrievalMetrics>{"IMU->video", r.imu_to_video},
                                  {"video->IMU", r.video_to_imu}}) {
      std::printf("%-11s R@1 %.4f  R@10 %.4f  R@50 %.4f  MRR %.4f\n", name, x.r1, x.r10, x.r50, x.mrr);
    }
  }
  return 0;
}

int run_classify_command(const EvalArgs& a) {
  const bool audio = a.modality == "audio";
  ResolvedModel m = audio ? resolve_audio_model(a.model) : resolve_model(a.model);
  ClassifyOptions o;
  o.mode = parse_classify_mode(a.mode);
  o.dataset_dir = a.data;
  o.split = a.split;
  if (!a.labels_file.empty()) o.labels = read_label_phrases(a.labels_file);
  o.vanilla = a.vanilla;
  o.seed = a.seed;
  o.epochs = a.epochs;
  o.batch = a.batch;
  o.threads = a.threads;
  o.lr = a.lr;
  o.encoder_lr = a.encoder_lr;
  o.stride_s = a.stride;
  o.max_windows = a.max_windows;
  o.cache_dir = a.cache_dir;
  o.no_unclear = a.no_unclear;
  o.smooth_windows = a.smooth;
  o.min_run_windows = a.min_run;
  o.log = progress_line;
  const ClassifyResult r = audio ? run_audio_classify(m.bundle, o, a.val_folds) : run_classify(m.bundle, o);

  if (a.json) {
    nlohmann::json j = to_json(r.report);
    j["mode"] = a.mode;
    j["modality"] = a.modality;
    j["split"] = a.split;
    j["dataset"] = r.dataset;
    j["model_id"] = m.bundle.model_id;
    j["model_origin"] = m.origin;
    j["vanilla"] = a.vanilla;
    j["details"] = r.details;
    std::printf("%s\n", j.dump().c_str());
  } else {
    std::printf("%s%s on %s/%s with model %s (%s)\n", a.mode.c_str(), a.vanilla ? " (vanilla encoder)" : "",
                r.dataset.c_str(), a.split.c_str(), m.bundle.model_id.c_str(), m.origin.c_str());
    if (r.details.contains("training")) {
      const auto& t = r.details["training"];
      std::printf("trained on %zu windows, epoch %d of %d chosen by %s\n", t["train_windows"].get<size_t>(),
                  t["best_epoch"].get<int>(), t["epochs"].get<int>(), t["selected_by"].get<std::string>().c_str());
    }
    std::printf("%s", format_classification_table(r.report).c_str());
    if (r.details.contains("coverage")) {
      const auto& d = r.details;
      std::printf("coverage %.3f (%lld of %lld windows not 'unclear motion'), accuracy over them %.3f\n"
                  "every window labelled: accuracy %.3f, macro-F1 %.3f; accuracy over the 80%% most confident %.3f\n",
                  d["coverage"].get<double>(), static_cast<long long>(d["covered_windows"].get<int64_t>()),
                  static_cast<long long>(d["scored_windows"].get<int64_t>()), d["covered_accuracy"].get<double>(),
                  d["all_windows"]["accuracy"].get<double>(), d["all_windows"]["macro_f1"].get<double>(),
                  d["accuracy_at_80_percent_coverage"].get<double>());
    }
  }
  return 0;
}

void add_common_options(CLI::App* cmd, EvalArgs& a) {
  cmd->add_option("--model", a.model, "Model bundle (.safetensors); default: $IMU2CLIP_MODEL or the built-in model");
  cmd->add_option("--data", a.data, "Canonical dataset folder (manifest.json, labels.csv, recordings/)")
      ->required()
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--split", a.split, "Manifest split to evaluate (train, val, test) or 'all'")->capture_default_str();
  cmd->add_flag("--json", a.json, "Print one JSON object instead of tables");
  cmd->add_option("--max-windows", a.max_windows, "Evaluate at most N windows (spread over recordings)");
  cmd->add_option("--stride", a.stride, "Stride between evaluated windows in seconds (default: window length)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--threads", a.threads, "Threads (default: all cores for training, current setting otherwise)");
  cmd->add_option("--cache", a.cache_dir, "Cache preprocessed windows in this folder");
}

}  // namespace

Runner add_eval_command(CLI::App& app) {
  auto a = std::make_shared<EvalArgs>();
  auto* cmd = app.add_subcommand("eval", "Evaluate a model: retrieval, zero-shot / probe / fine-tune classification");
  cmd->require_subcommand(1);

  auto* retrieval = cmd->add_subcommand(
      "retrieval", "IMU->text and text->IMU retrieval over a whole split (R@1/10/50, MRR)");
  add_common_options(retrieval, *a);

  auto* video = cmd->add_subcommand(
      "video", "IMU->video and video->IMU retrieval on Ego4D narration windows (R@1/10/50, MRR; paper Table 2)");
  video->add_option("--model", a->model, "Model bundle (.safetensors); default: $IMU2CLIP_MODEL or the built-in model");
  video->add_option("--ego4d", a->ego4d, "Ego4D-layout root (ego4d.json, v2/imu, v2/annotations/narration.json)")
      ->required()
      ->check(CLI::ExistingDirectory);
  video->add_option("--video-emb", a->video_emb, "Frame embeddings from `imu2clip embed-video` (<video_uid>@<time_ms>)")
      ->required()
      ->check(CLI::ExistingFile);
  video->add_option("--max-distance", a->max_video_distance_s,
                    "Pair a window with a frame at most this many seconds from its narration")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  video->add_option("--max-windows", a->max_windows, "Evaluate at most N narration windows");
  video->add_option("--threads", a->threads, "Encoder threads (default: the current setting)");
  video->add_flag("--json", a->json, "Print one JSON object");

  auto* classify = cmd->add_subcommand(
      "classify", "Activity classification: accuracy, macro-F1, per-class F1, confusion matrix");
  add_common_options(classify, *a);
  classify->add_option("--mode", a->mode,
                       "zeroshot | probe | finetune | product (what the tagger logs: the model's vocabulary, its "
                       "label map, the segmenter's smoothing and 'unclear motion')")
      ->capture_default_str()
      ->check(CLI::IsMember({"zeroshot", "probe", "finetune", "product"}));
  classify->add_option("--modality", a->modality,
                       "imu (a canonical IMU dataset) or audio (a clip folder: clips/ + labels.csv; --model is then an "
                       "audio bundle, default the embedded one)")
      ->capture_default_str()
      ->check(CLI::IsMember({"imu", "audio"}));
  classify->add_option("--val-fold", a->val_folds,
                       "Audio probe/finetune: training clips of this fold choose the epoch (repeatable)");
  classify->add_flag("--no-unclear", a->no_unclear, "Product mode: label every window (ignore the model's calibration)");
  classify->add_option("--smooth", a->smooth, "Product mode: smoothing width in windows (default: the tagger's)")
      ->check(CLI::PositiveNumber);
  classify->add_option("--min-run", a->min_run, "Product mode: shortest run in windows (default: the tagger's)")
      ->check(CLI::PositiveNumber);
  classify->add_option("--labels", a->labels_file,
                       "Candidate label phrases, one per line; only windows of these labels are evaluated")
      ->check(CLI::ExistingFile);
  classify->add_flag("--vanilla", a->vanilla, "Use a randomly initialised encoder of the same architecture");
  classify->add_option("--epochs", a->epochs, "Training epochs (default: 100 probe, 5 finetune)");
  classify->add_option("--seed", a->seed, "Random seed (initialisation, shuffling)")->capture_default_str();
  classify->add_option("--batch", a->batch, "Training batch size")->capture_default_str()->check(CLI::PositiveNumber);
  classify->add_option("--lr", a->lr, "Adam learning rate of the linear layer")->capture_default_str()->check(CLI::PositiveNumber);
  classify->add_option("--encoder-lr", a->encoder_lr,
                       "Adam learning rate of the encoder when fine-tuning (default: lr/10; lr with --vanilla)")
      ->check(CLI::PositiveNumber);

  return [a, retrieval, video] {
    log_to_stderr();
    if (retrieval->parsed()) return run_retrieval(*a);
    if (video->parsed()) return run_video(*a);
    return run_classify_command(*a);
  };
}

}  // namespace imu2clip::cli
